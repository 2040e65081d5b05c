package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Registers ARGON2ID; cost parameters for new hashes come from its optional configuration. */
@Component(service = PasswordScheme.class, configurationPid = Argon2idSchemeComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = PasswordScheme.NAME + "=ARGON2ID")
@Designate(ocd = Argon2idSchemeComponent.Config.class)
public final class Argon2idSchemeComponent extends DelegatingScheme {

    public static final String PID = "org.mailroom.auth.password.scheme.argon2id";

    @ObjectClassDefinition(name = "Mailroom ARGON2ID password scheme",
            description = "Cost of new ARGON2ID hashes; stored hashes are verified with their own parameters.")
    public @interface Config {
        @AttributeDefinition(description = "Memory cost in KiB")
        int memoryKiB() default 19456;

        @AttributeDefinition(description = "Number of passes")
        int iterations() default 2;

        @AttributeDefinition(description = "Lanes")
        int parallelism() default 1;
    }

    @Activate
    @Modified
    void configure(Config config) {
        configure(PID, () -> new Argon2Scheme(true, config.memoryKiB(), config.iterations(), config.parallelism()),
                () -> new Argon2Scheme(true, 19456, 2, 1));
    }
}
