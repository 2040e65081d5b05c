package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Registers SHA512-CRYPT; the rounds of new hashes come from its optional configuration. */
@Component(service = PasswordScheme.class, configurationPid = Sha512CryptSchemeComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = PasswordScheme.NAME + "=SHA512-CRYPT")
@Designate(ocd = Sha512CryptSchemeComponent.Config.class)
public final class Sha512CryptSchemeComponent extends DelegatingScheme {

    public static final String PID = "org.mailroom.auth.password.scheme.sha512crypt";
    static final int DEFAULT_ROUNDS = 50000;

    @ObjectClassDefinition(name = "Mailroom SHA512-CRYPT password scheme",
            description = "Rounds of new hashes; stored hashes are verified with their own rounds.")
    public @interface Config {
        @AttributeDefinition(description = "Rounds (1000..999999999)")
        int rounds() default DEFAULT_ROUNDS;
    }

    @Activate
    @Modified
    void configure(Config config) {
        configure(PID, () -> new ShaCryptScheme(true, config.rounds()),
                () -> new ShaCryptScheme(true, DEFAULT_ROUNDS));
    }
}
