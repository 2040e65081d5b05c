package org.mailroom.api.filter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Reads the text of attachments that are not text themselves (PDF, Office documents), so that
 * content filters can match words and patterns in them. Registered as an OSGi service; the
 * delivery service asks the extractors, highest {@code service.ranking} first, about every
 * attachment that is not {@code text/*}, spools the part of the first one that
 * {@linkplain #reads reads} it to a work file, and hands the text that {@link #extract} finds to
 * every filter's {@link FilterSession#text}, after the part's content and before its
 * {@link FilterSession#endPart}. The message is still parsed once: the filters share the text.
 *
 * <p>Service property {@value #NAME} names the extractor in logs and in the delivery service's
 * {@code requiredFilters} list (while a required extractor is not registered, mail is deferred).
 * Thread-safe: several deliveries extract at once.
 */
@ConsumerType
public interface TextExtractor {

    /** Service property: the extractor's name, e.g. {@code tika}; the same key as a filter's. */
    String NAME = ContentFilter.NAME;

    /** How many octets of a part's decoded content {@link #reads} is given (fewer: the part is shorter). */
    int HEAD = 4096;

    /**
     * Whether this extractor reads the part, decided from its header fields and the first octets
     * of its decoded content (magic bytes: a declared type may lie).
     */
    boolean reads(MimePart part, byte[] head, int length);

    /**
     * Hands the part's text to {@code text}, in chunks, on the calling thread. A chunk is only
     * valid during the call.
     *
     * @param content the part's decoded content, in a work file that is deleted afterwards
     * @throws IOException if the document cannot be read whole (damaged, encrypted, over a limit,
     *     too slow to read); the text handed over until then stays, and the filters are told the
     *     part is {@linkplain FilterSession#unreadable unreadable}
     */
    void extract(MimePart part, Path content, Consumer<CharSequence> text) throws IOException;
}
