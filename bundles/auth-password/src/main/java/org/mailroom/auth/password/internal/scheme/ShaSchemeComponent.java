package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** Registers the SHA (SHA1) password scheme. */
@Component(service = PasswordScheme.class, property = {PasswordScheme.NAME + "=SHA", PasswordScheme.NAME + "=SHA1"})
public final class ShaSchemeComponent extends DelegatingScheme {

    public ShaSchemeComponent() {
        use(new DigestScheme("SHA-1", false));
    }
}
