package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** Registers the SSHA512 password scheme. */
@Component(service = PasswordScheme.class, property = {PasswordScheme.NAME + "=SSHA512"})
public final class Ssha512SchemeComponent extends DelegatingScheme {

    public Ssha512SchemeComponent() {
        use(new DigestScheme("SHA-512", true));
    }
}
