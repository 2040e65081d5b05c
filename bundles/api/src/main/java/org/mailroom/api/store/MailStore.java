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

    /**
     * Delivers like {@link #deliver(String, InputStream)}, but at most once per key: when a message
     * with this key was delivered into this mailbox before, even if it has been deleted since,
     * nothing is written. The spool delivers with a key per message and recipient, so that a
     * crash between delivering and recording the delivery never delivers twice. A store
     * remembers the keys of deleted messages for at least {@link #KEY_RETENTION_DAYS} days.
     *
     * @param key 1 to 64 characters out of {@code a-z}, {@code 0-9} and {@code -}
     * @param message the message; line ends may be CRLF or LF
     * @return true if the message was delivered now, false if it had been before
     * @throws IllegalArgumentException if the key is not of that form
     * @since 2.0
     */
    boolean deliverOnce(String user, String key, InputStream message) throws StoreException;

    /** How long a store remembers the key of a deleted message, at least. */
    int KEY_RETENTION_DAYS = 30;

    /** @throws IllegalArgumentException unless the key is 1 to 64 characters of a-z, 0-9 and - */
    static void checkKey(String key) {
        if (key == null
                || key.isEmpty()
                || key.length() > 64
                || !key.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
            throw new IllegalArgumentException("delivery key must be 1 to 64 characters of a-z, 0-9 and -: " + key);
        }
    }
}
