package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Registers ARGON2I; cost parameters for new hashes come from its optional configuration. */
@Component(service = PasswordScheme.class, configurationPid = Argon2iSchemeComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = PasswordScheme.NAME + "=ARGON2I")
@Designate(ocd = Argon2iSchemeComponent.Config.class)
public final class Argon2iSchemeComponent extends DelegatingScheme {

    public static final String PID = "org.mailroom.auth.password.scheme.argon2i";

    @ObjectClassDefinition(name = "Mailroom ARGON2I password scheme",
            description = "Cost of new ARGON2I hashes; stored hashes are verified with their own parameters.")
    public @interface Config {
        @AttributeDefinition(description = "Memory cost in KiB")
        int memoryKiB() default 32768;

        @AttributeDefinition(description = "Number of passes")
        int iterations() default 4;

        @AttributeDefinition(description = "Lanes")
        int parallelism() default 1;
    }

    @Activate
    @Modified
    void configure(Config config) {
        configure(PID, () -> new Argon2Scheme(false, config.memoryKiB(), config.iterations(), config.parallelism()),
                () -> new Argon2Scheme(false, 32768, 4, 1));
    }
}
