package org.mailroom.api.filter;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A filter's view of one delivery. The delivery service calls {@link #header} for each header
 * field of the message, then for each leaf part in order {@link #startPart}, any number of
 * {@link #content} and (for {@code text/*} parts) {@link #text} calls in chunks, and
 * {@link #endPart}; at the end {@link #finish}. For an attachment a {@link TextExtractor} reads
 * (a PDF, an Office document) the {@link #text} calls carry the text extracted from it and come
 * after its last {@link #content} call; if it cannot be read, {@link #unreadable} says why. The calls of one session come from one thread,
 * one at a time. Chunk arguments are only valid during the call: keep what you need, not the
 * buffer (a large message streams through without being held in memory).
 */
@ConsumerType
public interface FilterSession {

    /** A header field of the message itself (the parts' fields are in {@link MimePart#headers}). */
    default void header(MimeField field) {}

    /** A leaf part begins. */
    default void startPart(MimePart part) {}

    /** Octets of the part's body, transfer encoding (base64, quoted-printable) removed. */
    default void content(MimePart part, byte[] octets, int offset, int length) {}

    /**
     * Characters of a text part's body, decoded from its charset, or text a {@link TextExtractor}
     * found in an attachment.
     */
    default void text(MimePart part, CharSequence chars) {}

    /**
     * A text extractor could not read the part whole (a damaged or encrypted document, one over
     * the extractor's limits): its text is missing, or ends early. Called before {@link #endPart}.
     *
     * @param reason what went wrong, for logs and verdict reasons
     * @since 1.2
     */
    default void unreadable(MimePart part, String reason) {}

    /** The part ends. */
    default void endPart(MimePart part) {}

    /**
     * The filter's verdict on the message; called once, after everything else. Throwing counts
     * as a verdict to defer the message.
     */
    FilterVerdict finish();
}
