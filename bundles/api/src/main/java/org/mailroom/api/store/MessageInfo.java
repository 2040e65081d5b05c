package org.mailroom.api.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One message as listed by a {@link MailStore}.
 *
 * @param uid unique and stable for the life of the message, across sessions and restarts; at most
 *     70 characters in the range 0x21-0x7E, so it can serve as a POP3 UIDL
 * @param size the exact size in octets of the message in wire form (CRLF line ends)
 * @param received when the message was delivered
 */
public record MessageInfo(String uid, long size, Instant received) {

    public MessageInfo {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(received, "received");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }
}
