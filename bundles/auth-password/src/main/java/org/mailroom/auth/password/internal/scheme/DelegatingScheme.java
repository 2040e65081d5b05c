package org.mailroom.auth.password.internal.scheme;

import java.util.function.Supplier;
import org.mailroom.api.auth.PasswordScheme;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the scheme components: forwards to a plain scheme object that a configuration change
 * can replace without unregistering the service.
 */
abstract class DelegatingScheme implements PasswordScheme {

    private static final Logger LOG = LoggerFactory.getLogger(DelegatingScheme.class);

    private volatile PasswordScheme delegate;

    /**
     * Switches to the scheme built from a new configuration. A bad configuration is logged with
     * its PID and reason and keeps the previous scheme, or the defaults when there is none yet.
     */
    final void configure(String pid, Supplier<PasswordScheme> configured, Supplier<PasswordScheme> defaults) {
        try {
            use(configured.get());
        } catch (IllegalArgumentException e) {
            LOG.error("Configuration {}: {}; {}", pid, e.getMessage(),
                    hasDelegate() ? "keeping the previous parameters" : "using the defaults");
            if (!hasDelegate()) {
                use(defaults.get());
            }
        }
    }

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
