package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** Registers the PLAIN (CLEARTEXT, CLEAR) password scheme. */
@Component(service = PasswordScheme.class, property = {
        PasswordScheme.NAME + "=PLAIN", PasswordScheme.NAME + "=CLEARTEXT", PasswordScheme.NAME + "=CLEAR" })
public final class PlainSchemeComponent extends DelegatingScheme {

    public PlainSchemeComponent() {
        use(new PlainScheme());
    }
}
