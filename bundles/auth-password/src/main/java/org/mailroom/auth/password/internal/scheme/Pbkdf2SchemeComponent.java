package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Registers PBKDF2 (Dovecot format); the rounds of new hashes come from its optional configuration. */
@Component(service = PasswordScheme.class, configurationPid = Pbkdf2SchemeComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = PasswordScheme.NAME + "=PBKDF2")
@Designate(ocd = Pbkdf2SchemeComponent.Config.class)
public final class Pbkdf2SchemeComponent extends DelegatingScheme {

    public static final String PID = "org.mailroom.auth.password.scheme.pbkdf2";
    static final int DEFAULT_ROUNDS = 100000;

    @ObjectClassDefinition(name = "Mailroom PBKDF2 password scheme",
            description = "Rounds of new hashes; stored hashes are verified with their own rounds.")
    public @interface Config {
        @AttributeDefinition(description = "PBKDF2-HMAC-SHA1 iterations (at least 1000)")
        int rounds() default DEFAULT_ROUNDS;
    }

    @Activate
    @Modified
    void configure(Config config) {
        configure(PID, () -> new Pbkdf2Scheme(config.rounds()),
                () -> new Pbkdf2Scheme(DEFAULT_ROUNDS));
    }
}
