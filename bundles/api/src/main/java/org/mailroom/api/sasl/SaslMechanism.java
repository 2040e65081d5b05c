package org.mailroom.api.sasl;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A SASL mechanism (RFC 4422) as used by POP3 AUTH and SMTP AUTH. Registered as an OSGi service;
 * protocols advertise the mechanisms registered at the time, by {@link #name()}.
 * A mechanism only decodes the exchange; {@link org.mailroom.api.auth.Authenticator}s verify what
 * it yields.
 */
@ConsumerType
public interface SaslMechanism {

    /** The IANA mechanism name, e.g. {@code PLAIN}: the one source of the name. */
    String name();

    /** True if the exchange reveals a reusable secret, so it needs TLS unless configured otherwise. */
    boolean exposesSecret();

    /** Starts one exchange; the returned object serves a single authentication attempt. */
    SaslExchange start();
}
