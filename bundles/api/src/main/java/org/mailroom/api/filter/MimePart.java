package org.mailroom.api.filter;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One leaf part of a message (a body that is not itself a multipart): the only part of a
 * single-part message, or one of the parts of a multipart one, at any depth, including the parts
 * of an attached message ({@code message/rfc822}).
 */
@ProviderType
public interface MimePart {

    /**
     * The part number as IMAP counts them (RFC 3501 6.4.5): {@code 1} for a single-part message,
     * {@code 1}, {@code 2}, ... for the parts of a multipart, {@code 2.1} for the first part inside
     * the second, and so on.
     */
    String path();

    /** The media type, lower case, without parameters: {@code text/plain} when none is given. */
    String mimeType();

    /** The charset of a text part as declared (lower case), or null for a part that is not text. */
    String charset();

    /**
     * The file name: the Content-Disposition {@code filename} (RFC 2231 continuations and
     * charsets, and RFC 2047 words, decoded) or else the Content-Type {@code name}; null if none.
     */
    String fileName();

    /** True for an attachment: Content-Disposition {@code attachment}, or any part with a file name. */
    boolean attachment();

    /** The part's own header fields (for the message's header fields, see {@link FilterSession#header}). */
    List<MimeField> headers();
}
