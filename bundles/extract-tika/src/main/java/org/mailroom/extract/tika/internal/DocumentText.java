package org.mailroom.extract.tika.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.CompositeParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.microsoft.OfficeParser;
import org.apache.tika.parser.microsoft.OfficeParserConfig;
import org.apache.tika.parser.microsoft.ooxml.OOXMLParser;
import org.apache.tika.parser.pdf.PDFParser;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.sax.ToTextContentHandler;

/**
 * Reads the text of one document with Tika's PDF and Microsoft parsers. The parse runs on a
 * thread of the extractor's own, so that a document that takes too long can be given up on; its
 * text comes back to the caller's thread through a small queue, in chunks, so that neither the
 * document's text nor its size is ever held in memory whole.
 */
final class DocumentText {

    private static final int CHUNK = 8192;
    private static final Object END = new Object();

    /** The parsers, one instance for all documents (Tika's parsers are thread-safe). */
    private static final Parser PARSER = parser();

    private DocumentText() {}

    private record Failure(String reason) {}

    /**
     * Hands the document's text to {@code text} on this thread.
     *
     * @throws IOException saying why the document could not be read whole
     */
    static void read(
            Documents kind,
            String fileName,
            Path file,
            ExtractorSettings settings,
            ExecutorService threads,
            Consumer<CharSequence> text)
            throws IOException {
        long size = Files.size(file);
        if (size > settings.maxSize()) {
            throw new IOException(
                    "the document is " + size + " octets, more than maxSize " + settings.maxSize() + ": not read");
        }
        BlockingQueue<Object> chunks = new ArrayBlockingQueue<>(8);
        Future<?> parse;
        try {
            parse = threads.submit(() -> parse(kind, fileName, file, settings.maxCharacters(), chunks));
        } catch (RejectedExecutionException e) {
            throw new IOException("the text extractor is shutting down", e);
        }
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Object next = left <= 0 ? null : chunks.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new IOException("the document was not read within " + seconds(settings.timeout()));
                    }
                } else if (next == END) {
                    return;
                } else if (next instanceof Failure failure) {
                    throw new IOException(failure.reason());
                } else {
                    text.accept((String) next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the document");
        } finally {
            parse.cancel(true);
        }
    }

    private static String seconds(Duration timeout) {
        return timeout.toSeconds() + " s (timeoutSeconds)";
    }

    /** On the extractor's thread: parses, and queues the text, then END or a Failure. */
    private static void parse(
            Documents kind, String fileName, Path file, long maxCharacters, BlockingQueue<Object> out) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // XMLBeans (POI's OOXML schemas) finds its type system through the context class loader.
        thread.setContextClassLoader(DocumentText.class.getClassLoader());
        Chunks chunks = new Chunks(out, maxCharacters);
        Object last;
        try {
            Metadata metadata = new Metadata();
            metadata.set(Metadata.CONTENT_TYPE, kind.mediaType(file));
            if (fileName != null) {
                metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
            }
            ParseContext context = new ParseContext();
            context.set(Parser.class, PARSER); // documents embedded in the document are read too
            context.set(PDFParserConfig.class, pdfConfig());
            context.set(OfficeParserConfig.class, officeConfig());
            try (InputStream in = TikaInputStream.get(file)) {
                PARSER.parse(in, new ToTextContentHandler(chunks), metadata, context);
            }
            chunks.flush();
            last = END;
        } catch (Throwable e) {
            last = new Failure(chunks.limitReached ? chunks.limitReason() : reason(e));
            if (chunks.interrupted) {
                return; // the reader gave up: nobody takes what is queued
            }
            try {
                chunks.flush();
            } catch (IOException ignored) {
                // the reason below says what went wrong first
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
        try {
            out.put(last);
        } catch (InterruptedException e) {
            // the reader gave up
        }
    }

    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EncryptedDocumentException
                    || t instanceof org.apache.poi.EncryptedDocumentException
                    || t.getClass().getName().endsWith("InvalidPasswordException")) {
                return "the document is encrypted";
            }
        }
        if (e instanceof NoClassDefFoundError || e instanceof ClassNotFoundException) {
            return "the document holds a format this extractor does not read (" + e.getMessage() + ")";
        }
        if (e instanceof TikaException && e.getCause() != null) {
            return "the document is damaged or not what it claims: " + e.getCause();
        }
        return "the document is damaged or not what it claims: " + e;
    }

    private static Parser parser() {
        Map<MediaType, Parser> byType = new HashMap<>();
        for (Parser p : List.of(new PDFParser(), new OfficeParser(), new OOXMLParser())) {
            for (MediaType type : p.getSupportedTypes(new ParseContext())) {
                byType.put(type, p);
            }
        }
        CompositeParser parser = new CompositeParser();
        parser.setParsers(byType);
        return parser;
    }

    private static PDFParserConfig pdfConfig() {
        PDFParserConfig config = new PDFParserConfig();
        config.setExtractInlineImages(false);
        config.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR);
        return config;
    }

    private static OfficeParserConfig officeConfig() {
        OfficeParserConfig config = new OfficeParserConfig();
        config.setUseSAXDocxExtractor(true);
        config.setUseSAXPptxExtractor(true);
        config.setExtractMacros(false);
        config.setIncludeHeadersAndFooters(true);
        return config;
    }

    /** The parse's text, in chunks of up to {@link #CHUNK} characters, into the queue. */
    private static final class Chunks extends Writer {
        private final BlockingQueue<Object> out;
        private final long max;
        private final StringBuilder pending = new StringBuilder(CHUNK);
        private long written;
        boolean limitReached;
        boolean interrupted;

        Chunks(BlockingQueue<Object> out, long max) {
            this.out = out;
            this.max = max;
        }

        String limitReason() {
            return "more than " + max + " characters of text (maxCharacters): the rest is not read";
        }

        @Override
        public void write(char[] chars, int offset, int length) throws IOException {
            if (limitReached) {
                throw new IOException(limitReason());
            }
            long room = max - written;
            int n = (int) Math.min(length, room);
            for (int i = 0; i < n; ) {
                int step = Math.min(n - i, CHUNK - pending.length());
                pending.append(chars, offset + i, step);
                i += step;
                if (pending.length() == CHUNK) {
                    flush();
                }
            }
            written += n;
            if (n < length) {
                limitReached = true;
                throw new IOException(limitReason());
            }
        }

        @Override
        public void flush() throws IOException {
            if (pending.length() == 0) {
                return;
            }
            try {
                out.put(pending.toString());
            } catch (InterruptedException e) {
                interrupted = true;
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the reader gave up");
            }
            pending.setLength(0);
        }

        @Override
        public void close() {}
    }
}
