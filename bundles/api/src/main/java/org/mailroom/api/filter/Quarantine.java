package org.mailroom.api.filter;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where messages a content filter quarantined are held instead of their mailbox, until an
 * operator releases (delivers as is) or deletes them. Registered as an OSGi service by the
 * quarantine bundle; local delivery looks it up per delivery and defers quarantined mail while
 * none is there. Thread-safe.
 */
@ProviderType
public interface Quarantine {

    /**
     * Holds a message, exactly once per delivery key: holding the same key again (a retried
     * delivery) keeps the first and returns its id. Durable when it returns.
     *
     * @param held the envelope, the deciding filter and its reason (its {@code id}, {@code held}
     *     and {@code size} are ignored)
     * @param message the message as it would have been delivered (trace headers included)
     * @return the id the message is held under
     */
    String hold(HeldMessage held, InputStream message) throws IOException;

    /** The held messages, oldest first. */
    List<HeldMessage> list() throws IOException;

    /** One held message, or null if there is none with this id. */
    HeldMessage find(String id) throws IOException;

    /** The content of a held message. The caller closes the stream. */
    InputStream open(String id) throws IOException;

    /**
     * Delivers a held message into its user's mailbox as it is (no filter sees it again),
     * exactly once, then removes it from the quarantine.
     *
     * @return false if there is no such message
     * @throws IOException if it could not be delivered (it stays held)
     */
    boolean release(String id) throws IOException;

    /** Removes a held message without delivering it; false if there is none with this id. */
    boolean delete(String id) throws IOException;
}
