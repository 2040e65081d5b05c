package org.mailroom.api.filter;

import java.io.IOException;
import java.io.InputStream;
import org.osgi.annotation.versioning.ProviderType;

/** What a filter knows of a delivery before it sees the message. */
@ProviderType
public interface FilterContext {

    /** Unique per message and recipient: the delivery's key (stable across retries). */
    String key();

    /** The envelope sender without angle brackets, empty for the null sender. */
    String sender();

    /** The envelope recipient as the client gave it, without angle brackets. */
    String recipient();

    /** The local user whose mailbox receives the message. */
    String user();

    /** The message's size in octets, in wire form. */
    long size();

    /**
     * The message as the delivery received it, in wire form (CRLF lines, without the trace fields
     * the delivery adds), read again from the spool on each call: for a filter that hands the
     * whole message to a scanner. The caller closes it.
     */
    InputStream message() throws IOException;
}
