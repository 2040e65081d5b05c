package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Registers CRYPT (any crypt(3) hash by its prefix); new hashes are SHA512-CRYPT with the configured rounds. */
@Component(service = PasswordScheme.class, configurationPid = CryptSchemeComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = PasswordScheme.NAME + "=CRYPT")
@Designate(ocd = CryptSchemeComponent.Config.class)
public final class CryptSchemeComponent extends DelegatingScheme {

    public static final String PID = "org.mailroom.auth.password.scheme.crypt";
    static final int DEFAULT_ROUNDS = 50000;

    @ObjectClassDefinition(name = "Mailroom CRYPT password scheme",
            description = "SHA512-CRYPT rounds of new hashes; stored hashes are verified with their own rounds.")
    public @interface Config {
        @AttributeDefinition(description = "Rounds (1000..999999999)")
        int rounds() default DEFAULT_ROUNDS;
    }

    @Activate
    @Modified
    void configure(Config config) {
        configure(PID, () -> new CryptScheme(config.rounds()),
                () -> new CryptScheme(DEFAULT_ROUNDS));
    }
}
