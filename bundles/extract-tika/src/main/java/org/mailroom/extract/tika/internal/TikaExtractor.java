package org.mailroom.extract.tika.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.mailroom.api.filter.MimePart;
import org.mailroom.api.filter.TextExtractor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text of PDF, Word, Excel and PowerPoint attachments, for the content filters, with Apache
 * Tika's parsers ({@link DocumentText}). Configuration PID {@value #PID} (optional: without it,
 * the defaults). Its parse threads end with the component.
 */
@Component(
        configurationPid = TikaExtractor.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = TextExtractor.NAME + "=" + TikaExtractor.NAME)
@Designate(ocd = TikaExtractor.Config.class)
public class TikaExtractor implements TextExtractor {

    static final String PID = "org.mailroom.extract.tika";
    static final String NAME = "tika";

    private static final Logger LOG = LoggerFactory.getLogger(TikaExtractor.class);

    /** The settings, for the metatype service; the component reads its properties itself (ExtractorSettings). */
    @ObjectClassDefinition(name = "Mailroom Tika text extractor", description = "Text of PDF and Office attachments")
    public @interface Config {
        @AttributeDefinition(description = "Documents read, comma-separated: pdf, office")
        String formats() default "pdf, office";

        @AttributeDefinition(description = "Larger documents (octets) are not read")
        long maxSize() default 64L << 20;

        @AttributeDefinition(description = "Text beyond this many characters is not read")
        long maxCharacters() default 5_000_000;

        @AttributeDefinition(description = "Seconds a document may take to read")
        int timeoutSeconds() default 60;
    }

    private volatile ExtractorSettings settings = ExtractorSettings.DEFAULTS;
    private final ExecutorService threads = Executors.newCachedThreadPool(new Named());

    @Activate
    void activate(Map<String, Object> properties) {
        settings = ExtractorSettings.required(properties, PID);
        LOG.info("Tika text extractor reads {}", settings);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        ExtractorSettings.changed(properties, PID).ifPresent(changed -> {
            settings = changed;
            LOG.info("Tika text extractor reads {}", changed);
        });
    }

    /** Ends the parse threads; a parse still running is interrupted, its reader gets an error. */
    @Deactivate
    void deactivate() throws InterruptedException {
        threads.shutdownNow();
        if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("A document parse did not stop within 10 s of the Tika text extractor stopping");
        }
    }

    @Override
    public boolean reads(MimePart part, byte[] head, int length) {
        Documents kind = Documents.of(part, head, length);
        return kind != null && settings.documents().contains(kind);
    }

    @Override
    public void extract(MimePart part, Path content, Consumer<CharSequence> text) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(content)) {
            head = in.readNBytes(HEAD);
        }
        Documents kind = Documents.of(part, head, head.length);
        if (kind == null) {
            throw new IOException("not a PDF or Office document");
        }
        DocumentText.read(kind, part.fileName(), content, settings, threads, text);
    }

    private static final class Named implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "mailroom-tika-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
