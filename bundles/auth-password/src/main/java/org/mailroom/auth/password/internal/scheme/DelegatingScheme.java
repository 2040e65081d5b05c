package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;

/**
 * Base of the scheme components: forwards to a plain scheme object that a configuration change
 * can replace without unregistering the service.
 */
abstract class DelegatingScheme implements PasswordScheme {

    private volatile PasswordScheme delegate;

    final void use(PasswordScheme scheme) {
        this.delegate = scheme;
    }

    final boolean hasDelegate() {
        return delegate != null;
    }

    @Override
    public final boolean verify(String password, String encoded) {
        return delegate.verify(password, encoded);
    }

    @Override
    public final String encode(String password) {
        return delegate.encode(password);
    }
}
