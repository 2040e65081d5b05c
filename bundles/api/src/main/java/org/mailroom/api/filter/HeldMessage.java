package org.mailroom.api.filter;

import java.time.Instant;
import java.util.Objects;

/**
 * A message in the quarantine.
 *
 * @param id its id in the quarantine (the delivery's key)
 * @param sender the envelope sender, empty for the null sender
 * @param recipient the envelope recipient
 * @param user the local user whose mailbox it was for
 * @param filter the filter whose verdict put it there
 * @param reason that filter's reason
 * @param held when it was put there
 * @param size its size in octets
 */
public record HeldMessage(
        String id,
        String sender,
        String recipient,
        String user,
        String filter,
        String reason,
        Instant held,
        long size) {

    public HeldMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(user, "user");
        filter = filter == null ? "" : filter;
        reason = reason == null ? "" : reason;
    }
}
