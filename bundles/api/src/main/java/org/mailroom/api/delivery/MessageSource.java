package org.mailroom.api.delivery;

import java.io.IOException;
import java.io.InputStream;
import org.osgi.annotation.versioning.ProviderType;

/** A stored message that can be read as often as needed (a filter may read it before delivery does). */
@ProviderType
public interface MessageSource {

    /** A new stream over the whole message, in wire form (CRLF line ends). The caller closes it. */
    InputStream open() throws IOException;

    /** The message's size in octets, as {@link #open} yields it. */
    long size();
}
