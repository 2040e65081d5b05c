package org.mailroom.api.delivery;

import java.util.Objects;

/**
 * One message on its way to one local mailbox.
 *
 * @param key unique per message and recipient, in the form {@code MailStore.checkKey} accepts;
 *     what makes a retried delivery exactly once
 * @param sender the envelope sender (reverse-path) without angle brackets, empty for the null sender
 * @param recipient the envelope recipient as the client gave it, without angle brackets
 * @param user the local user whose mailbox receives it (after aliases and the recipient delimiter)
 * @param message the message as received, with the trace headers of its reception, in wire form
 */
public record Delivery(String key, String sender, String recipient, String user, MessageSource message) {

    public Delivery {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(message, "message");
    }
}
