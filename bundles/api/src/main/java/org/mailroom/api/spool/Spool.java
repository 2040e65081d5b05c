package org.mailroom.api.spool;

import java.io.InputStream;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Durable storage of accepted messages until they are delivered. A message written with
 * {@link #receive} and committed is on disk before {@link SpoolWriter#commit} returns, so the
 * protocol may acknowledge it then; from that moment it is delivered to each recipient exactly
 * once, also across a crash, and removed when every recipient has it.
 *
 * <p>Registered as an OSGi service; protocols look it up per message. Thread-safe.
 */
@ProviderType
public interface Spool {

    /**
     * Starts receiving a message. Nothing is visible or delivered until the writer commits.
     *
     * @param sender the envelope sender without angle brackets, empty for the null sender
     * @param recipients who receives it: at least one; a user listed twice receives one copy
     * @throws SpoolException if no message can be received now (disk full: temporary)
     */
    SpoolWriter receive(String sender, List<SpoolRecipient> recipients) throws SpoolException;

    /** The messages in the spool, oldest first. */
    List<QueuedMessage> list() throws SpoolException;

    /** One message, or null if there is none with this id (delivered, deleted, never there). */
    QueuedMessage find(String id) throws SpoolException;

    /** The content of a queued message, as it will be delivered. The caller closes the stream. */
    InputStream open(String id) throws SpoolException;

    /**
     * Makes every waiting recipient of this message (null: of every message) due now, including
     * those that failed for good.
     *
     * @return how many recipients were made due
     */
    int retry(String id) throws SpoolException;

    /**
     * Removes a message without delivering it any further.
     *
     * @return false if there was no such message
     */
    boolean delete(String id) throws SpoolException;
}
