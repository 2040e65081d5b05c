package org.mailroom.api.spool;

import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import org.mailroom.api.delivery.Verdict;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One message being received into the spool. Write the content in wire form (CRLF line ends) to
 * {@link #content()}, then {@link #commit}; closing without committing discards it.
 */
@ProviderType
public interface SpoolWriter extends AutoCloseable {

    /** The queue id the message will have once committed (for trace headers written into it). */
    String id();

    /** Where the message goes; not to be closed by the caller. */
    OutputStream content();

    /** Octets written so far. */
    long size();

    /**
     * Makes the message durable (forced to disk) and due for delivery.
     *
     * @return the message's queue id, {@link #id()}
     * @throws SpoolException if it could not be stored: nothing of it is kept or delivered
     */
    String commit() throws SpoolException;

    /**
     * Delivers the message now, before the caller replies to its client, where the spool does
     * (a message for few enough recipients, while a delivery service is there): the content
     * filters' verdicts can then go into the reply. Call it at most once, after the content is
     * written and before {@link #commit(Set)}. Nothing is queued yet: a crash before the commit
     * loses nothing the client was told it has.
     *
     * @return the verdict per local user (each user receives one copy, however many of its
     *     addresses were given); a user not in it was not attempted (the commit queues it); an
     *     empty map if none was
     * @throws SpoolException if the content could not be stored: nothing of it is kept
     */
    Map<String, Verdict> deliverBeforeReply() throws SpoolException;

    /**
     * Commits like {@link #commit()}, except for the users the caller answers for itself: those
     * whose delivery before the reply a content filter refused ({@link Verdict#refused()}), and
     * whom the caller has told so (an error reply per recipient, as LMTP gives). They are not
     * queued. If nothing is left to queue, nothing is.
     *
     * @param answered local users the caller refused to its client; each must have a refused verdict
     * @return the message's queue id
     */
    String commit(Set<String> answered) throws SpoolException;

    /** Discards the message unless it was committed. */
    @Override
    void close();
}
