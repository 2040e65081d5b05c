package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Registers BLF-CRYPT (bcrypt); the cost of new hashes comes from its optional configuration. */
@Component(service = PasswordScheme.class, configurationPid = BlfCryptSchemeComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = PasswordScheme.NAME + "=BLF-CRYPT")
@Designate(ocd = BlfCryptSchemeComponent.Config.class)
public final class BlfCryptSchemeComponent extends DelegatingScheme {

    public static final String PID = "org.mailroom.auth.password.scheme.blfcrypt";
    static final int DEFAULT_COST = 10;

    @ObjectClassDefinition(name = "Mailroom BLF-CRYPT password scheme",
            description = "Cost of new bcrypt hashes; stored hashes are verified with their own cost.")
    public @interface Config {
        @AttributeDefinition(description = "log2 of the number of rounds (4..31)")
        int cost() default DEFAULT_COST;
    }

    @Activate
    @Modified
    void configure(Config config) {
        configure(PID, () -> new BlfCryptScheme(config.cost()),
                () -> new BlfCryptScheme(DEFAULT_COST));
    }
}
