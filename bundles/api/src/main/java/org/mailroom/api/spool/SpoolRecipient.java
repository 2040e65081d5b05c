package org.mailroom.api.spool;

import java.util.Objects;

/**
 * One recipient of a spooled message.
 *
 * @param address the envelope recipient as the client gave it, without angle brackets
 * @param user the local user whose mailbox receives the message
 */
public record SpoolRecipient(String address, String user) {

    public SpoolRecipient {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
    }
}
