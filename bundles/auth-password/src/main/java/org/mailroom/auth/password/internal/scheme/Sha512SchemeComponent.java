package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** Registers the SHA512 password scheme. */
@Component(service = PasswordScheme.class, property = {PasswordScheme.NAME + "=SHA512"})
public final class Sha512SchemeComponent extends DelegatingScheme {

    public Sha512SchemeComponent() {
        use(new DigestScheme("SHA-512", false));
    }
}
