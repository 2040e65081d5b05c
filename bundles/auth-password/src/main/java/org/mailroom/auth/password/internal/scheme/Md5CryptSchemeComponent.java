package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** Registers the MD5-CRYPT password scheme. */
@Component(service = PasswordScheme.class, property = {PasswordScheme.NAME + "=MD5-CRYPT"})
public final class Md5CryptSchemeComponent extends DelegatingScheme {

    public Md5CryptSchemeComponent() {
        use(new Md5CryptScheme());
    }
}
