package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** Registers the SSHA256 password scheme. */
@Component(service = PasswordScheme.class, property = {PasswordScheme.NAME + "=SSHA256"})
public final class Ssha256SchemeComponent extends DelegatingScheme {

    public Ssha256SchemeComponent() {
        use(new DigestScheme("SHA-256", true));
    }
}
