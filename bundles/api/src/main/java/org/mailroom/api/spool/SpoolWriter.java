package org.mailroom.api.spool;

import java.io.OutputStream;
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

    /** Discards the message unless it was committed. */
    @Override
    void close();
}
