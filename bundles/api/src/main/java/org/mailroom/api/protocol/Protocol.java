package org.mailroom.api.protocol;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A line-oriented mail protocol (POP3, SMTP, LMTP, ...) served on the transport's listeners.
 * Registered as an OSGi service with the {@link #NAME} property; a listener configured for that
 * name hands every new connection to the protocol registered at that moment. The listener keeps
 * its port while protocols come and go.
 */
@ConsumerType
public interface Protocol {

    /** Service property: the protocol name that listener configurations refer to, e.g. {@code pop3}. */
    String NAME = "mailroom.protocol";

    /**
     * Starts a session on a new connection. Called once per connection, before any input; the
     * session typically sends its greeting here.
     */
    ProtocolSession open(Connection connection);

    /**
     * The reply that refuses a connection before any session starts (over a connection limit,
     * shutting down), e.g. {@code -ERR [SYS/TEMP] ...} or {@code 421 4.7.0 ...}.
     */
    String refusal(String reason);
}
