package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Registers SHA256-CRYPT; the rounds of new hashes come from its optional configuration. */
@Component(service = PasswordScheme.class, configurationPid = Sha256CryptSchemeComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = PasswordScheme.NAME + "=SHA256-CRYPT")
@Designate(ocd = Sha256CryptSchemeComponent.Config.class)
public final class Sha256CryptSchemeComponent extends DelegatingScheme {

    public static final String PID = "org.mailroom.auth.password.scheme.sha256crypt";
    static final int DEFAULT_ROUNDS = 50000;

    @ObjectClassDefinition(name = "Mailroom SHA256-CRYPT password scheme",
            description = "Rounds of new hashes; stored hashes are verified with their own rounds.")
    public @interface Config {
        @AttributeDefinition(description = "Rounds (1000..999999999)")
        int rounds() default DEFAULT_ROUNDS;
    }

    @Activate
    @Modified
    void configure(Config config) {
        configure(PID, () -> new ShaCryptScheme(false, config.rounds()),
                () -> new ShaCryptScheme(false, DEFAULT_ROUNDS));
    }
}
