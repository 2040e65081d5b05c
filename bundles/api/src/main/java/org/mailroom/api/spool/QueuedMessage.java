package org.mailroom.api.spool;

import java.time.Instant;
import java.util.List;

/**
 * A message in the spool, as the console shows it.
 *
 * @param id the queue id
 * @param sender the envelope sender, empty for the null sender
 * @param received when it was committed
 * @param size its size in octets
 * @param recipients each recipient's state
 */
public record QueuedMessage(String id, String sender, Instant received, long size, List<RecipientStatus> recipients) {

    public QueuedMessage {
        recipients = List.copyOf(recipients);
    }
}
