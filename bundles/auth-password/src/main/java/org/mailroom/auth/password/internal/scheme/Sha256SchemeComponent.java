package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** Registers the SHA256 password scheme. */
@Component(service = PasswordScheme.class, property = {PasswordScheme.NAME + "=SHA256"})
public final class Sha256SchemeComponent extends DelegatingScheme {

    public Sha256SchemeComponent() {
        use(new DigestScheme("SHA-256", false));
    }
}
