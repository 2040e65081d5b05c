package org.mailroom.delivery.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mailroom.api.delivery.Delivery;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;
import org.mailroom.api.filter.TextExtractor;
import org.mailroom.api.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands between the message walker and the filters: passes every event on, and for a part that
 * is not text asks the text extractors, with the part's first {@link TextExtractor#HEAD} octets,
 * whether one reads it. The part of the first that does is spooled to a work file as it streams
 * by; at its end the extractor reads the file, its text goes to the filters as {@code text}
 * events, and the file is deleted. A document it cannot read reaches the filters as an
 * {@code unreadable} event, the message goes on.
 */
final class TextExtraction implements MessageWalker.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(TextExtraction.class);

    /** An extractor, with the name it has in logs and in {@code requiredFilters}. */
    record Named(String name, TextExtractor extractor) {}

    /** What the listener downstream is told, besides the walker's events. */
    interface Listener extends MessageWalker.Listener {
        void unreadable(MimePart part, String reason);
    }

    private enum State {
        NONE,
        HEAD,
        SPOOL
    }

    private final List<Named> extractors;
    private final Listener next;
    private final WorkFiles work;
    private final Delivery delivery;
    private final byte[] head = new byte[TextExtractor.HEAD];
    private int headLength;
    private State state = State.NONE;
    private Named reader;
    private Path file;
    private OutputStream spool;

    TextExtraction(List<Named> extractors, Listener next, WorkFiles work, Delivery delivery) {
        this.extractors = extractors;
        this.next = next;
        this.work = work;
        this.delivery = delivery;
    }

    @Override
    public void header(MimeField field) {
        next.header(field);
    }

    @Override
    public void startPart(MimePart part) {
        next.startPart(part);
        headLength = 0;
        reader = null;
        state = part.mimeType().startsWith("text/") ? State.NONE : State.HEAD;
    }

    @Override
    public void content(MimePart part, byte[] octets, int offset, int length) {
        next.content(part, octets, offset, length);
        int taken = 0;
        if (state == State.HEAD) {
            taken = Math.min(length, head.length - headLength);
            System.arraycopy(octets, offset, head, headLength, taken);
            headLength += taken;
            if (headLength == head.length) {
                choose(part);
            }
        }
        if (state == State.SPOOL && taken < length) {
            write(octets, offset + taken, length - taken);
        }
    }

    @Override
    public void text(MimePart part, CharSequence chars) {
        next.text(part, chars);
    }

    @Override
    public void endPart(MimePart part) {
        if (state == State.HEAD) {
            choose(part);
        }
        if (state == State.SPOOL) {
            state = State.NONE;
            try {
                spool.close();
                extract(part);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                work.delete(file);
                file = null;
                spool = null;
            }
        }
        next.endPart(part);
    }

    /** Closes a work file a failure left open. */
    void abandon() {
        if (spool != null) {
            try {
                spool.close();
            } catch (IOException e) {
                // the file goes next
            }
            work.delete(file);
            spool = null;
            file = null;
        }
    }

    private void choose(MimePart part) {
        state = State.NONE;
        for (Named candidate : extractors) {
            boolean reads;
            try {
                reads = candidate.extractor().reads(part, head, headLength);
            } catch (RuntimeException | LinkageError e) {
                LOG.error(
                        "Text extractor {} failed on part {} of {}; it is not asked about this part",
                        candidate.name(),
                        part.path(),
                        delivery.key(),
                        e);
                continue;
            }
            if (reads) {
                reader = candidate;
                try {
                    file = work.create("part-", ".bin");
                    spool = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
                } catch (IOException e) {
                    abandon();
                    throw new UncheckedIOException(e);
                }
                state = State.SPOOL;
                write(head, 0, headLength);
                return;
            }
        }
    }

    private void write(byte[] octets, int offset, int length) {
        try {
            spool.write(octets, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void extract(MimePart part) {
        String what = "part " + part.path() + (part.fileName() == null ? "" : " (" + LogText.of(part.fileName()) + ")");
        try {
            reader.extractor().extract(part, file, chars -> next.text(part, chars));
            return;
        } catch (IOException e) {
            LOG.info(
                    "Text extractor {} cannot read {} of {}: {}",
                    reader.name(),
                    what,
                    delivery.key(),
                    LogText.of(String.valueOf(e.getMessage())));
            next.unreadable(part, String.valueOf(e.getMessage()));
        } catch (RuntimeException | LinkageError e) {
            LOG.error("Text extractor {} failed on {} of {}", reader.name(), what, delivery.key(), e);
            next.unreadable(part, "the text extractor " + reader.name() + " failed: " + e);
        }
    }
}
