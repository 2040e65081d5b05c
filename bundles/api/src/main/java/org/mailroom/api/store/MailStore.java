package org.mailroom.api.store;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where users' mail lives. Registered as an OSGi service; protocols look the store up for every
 * operation and keep only the value objects it returns, so a store can be updated or replaced
 * while sessions are open. Every method is thread-safe and stateless between calls.
 *
 * <p>Messages are exchanged in wire form: lines end in CRLF, and {@link MessageInfo#size()} is the
 * exact number of octets {@link #open} yields.
 */
@ConsumerType
public interface MailStore {

    /**
     * Service property: the store's name (e.g. {@code maildir}), so that a configuration can pin
     * one with a target filter such as {@code store.target = (mailroom.store.name=maildir)}.
     *
     * @since 1.1
     */
    String NAME = "mailroom.store.name";

    /** The messages in the user's mailbox, oldest first. An absent mailbox is empty. */
    List<MessageInfo> list(String user) throws StoreException;

    /**
     * Opens one message for reading, in wire form. The caller closes the stream.
     *
     * @throws MessageNotFoundException if the message is gone (deleted by another agent)
     */
    InputStream open(String user, String uid) throws StoreException;

    /**
     * Deletes messages. A uid that is already gone counts as deleted.
     *
     * @return how many messages this call removed
     */
    int delete(String user, Collection<String> uids) throws StoreException;

    /**
     * Delivers a message into the user's mailbox atomically: after a successful return it is
     * durable, and a failure leaves no partial message visible.
     *
     * @param message the message; line ends may be CRLF or LF
     * @return the new message's uid
     */
    String deliver(String user, InputStream message) throws StoreException;
}
