package org.mailroom.extract.tika.internal;

import static org.mailroom.filter.daemon.CfgValues.number;
import static org.mailroom.filter.daemon.CfgValues.string;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mailroom.filter.daemon.CfgValues;

/**
 * The extractor's settings, from {@code etc/org.mailroom.extract.tika.cfg}, read from the
 * properties as written so that a bad value is reported with its key.
 *
 * @param documents the kinds of document read: {@code pdf}, {@code office} (Word, Excel and
 *     PowerPoint, 97-2003 and OOXML)
 * @param maxSize a larger document is not read (reported unreadable)
 * @param maxCharacters text beyond this many characters is not read (the document is reported
 *     unreadable, the text up to there stays)
 * @param timeout a document not read within this time is reported unreadable
 */
record ExtractorSettings(Set<Documents> documents, long maxSize, long maxCharacters, Duration timeout) {

    static final ExtractorSettings DEFAULTS = of(Map.of());

    static ExtractorSettings of(Map<String, ?> properties) {
        Set<Documents> documents = EnumSet.noneOf(Documents.class);
        for (String kind : string(properties, "formats", "pdf, office").split(",")) {
            switch (kind.strip().toLowerCase(Locale.ROOT)) {
                case "pdf" -> documents.add(Documents.PDF);
                case "office" -> {
                    documents.add(Documents.OFFICE_BINARY);
                    documents.add(Documents.OFFICE_OPEN_XML);
                }
                case "" -> {}
                default ->
                    throw new IllegalArgumentException("key formats: '" + kind.strip() + "' is not pdf or office");
            }
        }
        return new ExtractorSettings(
                Set.copyOf(documents),
                number(properties, "maxSize", 64L << 20, 1, Long.MAX_VALUE),
                number(properties, "maxCharacters", 5_000_000, 1, Integer.MAX_VALUE),
                Duration.ofSeconds(number(properties, "timeoutSeconds", 60, 1, 3600)));
    }

    static ExtractorSettings required(Map<String, ?> properties, String pid) {
        return CfgValues.required(properties, pid, "the Tika text extractor", ExtractorSettings::of);
    }

    static Optional<ExtractorSettings> changed(Map<String, ?> properties, String pid) {
        return CfgValues.changed(properties, pid, ExtractorSettings::of);
    }
}
