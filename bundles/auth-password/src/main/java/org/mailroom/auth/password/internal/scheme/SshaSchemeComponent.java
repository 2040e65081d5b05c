package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** Registers the SSHA password scheme. */
@Component(service = PasswordScheme.class, property = {PasswordScheme.NAME + "=SSHA"})
public final class SshaSchemeComponent extends DelegatingScheme {

    public SshaSchemeComponent() {
        use(new DigestScheme("SHA-1", true));
    }
}
