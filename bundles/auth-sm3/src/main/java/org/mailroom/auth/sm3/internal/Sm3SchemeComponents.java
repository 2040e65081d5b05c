package org.mailroom.auth.sm3.internal;

import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Component;

/** The two cost-free SM3 schemes as services; each is a component of its own. */
final class Sm3SchemeComponents {

    private Sm3SchemeComponents() {}

    @Component(service = PasswordScheme.class, property = PasswordScheme.NAME + "=SM3")
    public static final class PlainSm3 extends Sm3DigestScheme {
        public PlainSm3() {
            super(false);
        }
    }

    @Component(service = PasswordScheme.class, property = PasswordScheme.NAME + "=SSM3")
    public static final class SaltedSm3 extends Sm3DigestScheme {
        public SaltedSm3() {
            super(true);
        }
    }
}
