package org.mailroom.api.filter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A change to a message's content that a filter's verdict asks for ({@link
 * FilterVerdict#withRewrite}): the delivery streams the message, as the recipient would get it so
 * far, through it into a work file and delivers the result. The output must be a whole message in
 * wire form (CRLF lines). Throwing defers the delivery; the message is never delivered half
 * rewritten.
 */
@ConsumerType
public interface MessageRewrite {

    /** Writes the rewritten message to {@code out}; neither stream is closed here. */
    void rewrite(InputStream message, OutputStream out) throws IOException;
}
