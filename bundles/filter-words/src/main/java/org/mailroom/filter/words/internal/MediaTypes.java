package org.mailroom.filter.words.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;

/**
 * Media types as Apache Tika's type database knows them: detection from a file's first octets
 * (magic), the type a file name implies (globs), and whether two types contradict each other.
 */
final class MediaTypes {

    private static final String GENERIC_BINARY = "application/octet-stream";
    private static final String GENERIC_TEXT = "text/plain";
    /** Windows programs: magic says x-msdownload (PE), the .exe glob says x-dosexec; one family. */
    private static final java.util.Set<String> WINDOWS_PROGRAMS =
            java.util.Set.of("application/x-msdownload", "application/x-dosexec");
    /** Names mail clients use that Tika's database does not list as aliases. */
    private static final java.util.Map<String, String> CLIENT_ALIASES = java.util.Map.of(
            "image/jpg", "image/jpeg",
            "image/pjpeg", "image/jpeg",
            "image/x-png", "image/png",
            "application/x-pdf", "application/pdf",
            "application/x-zip-compressed", "application/zip",
            "application/x-zip", "application/zip");

    /** Tika's database, read from tika-core's own jar on first use (a few hundred ms). */
    private static final class Database {
        static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes(MimeTypes.class.getClassLoader());
    }

    private MediaTypes() {}

    /** How many first octets detection looks at. */
    static int headLength() {
        return Math.min(Database.TYPES.getMinLength(), 64 * 1024);
    }

    /** The type the content's first octets show; {@code application/octet-stream} if none. */
    static String detect(byte[] head, int length) {
        try {
            return Database.TYPES
                    .detect(new ByteArrayInputStream(head, 0, length), new Metadata())
                    .getBaseType()
                    .toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from a byte array
        }
    }

    /** The type a file name implies by its extension; {@code application/octet-stream} if none. */
    static String ofName(String fileName) {
        Metadata metadata = new Metadata();
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        try {
            return Database.TYPES.detect(null, metadata).getBaseType().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no stream is read
        }
    }

    /**
     * Whether content detected as {@code detected} cannot be what {@code claimed} says: both are
     * specific (not octet-stream or plain text) and neither is a kind of the other (a .docx is a
     * kind of zip, an HTML page a kind of text). A claimed type the database does not know claims
     * nothing.
     */
    static boolean contradicts(String detected, String claimed) {
        if (claimed == null) {
            return false;
        }
        claimed = CLIENT_ALIASES.getOrDefault(claimed, claimed);
        if (isGeneric(detected) || isGeneric(claimed) || !isKnown(claimed)) {
            return false;
        }
        MediaType c = MediaType.parse(claimed);
        if (c == null) {
            return false;
        }
        if (WINDOWS_PROGRAMS.contains(detected) && WINDOWS_PROGRAMS.contains(claimed)) {
            return false;
        }
        MediaTypeRegistry registry = Database.TYPES.getMediaTypeRegistry();
        MediaType d = registry.normalize(MediaType.parse(detected));
        c = registry.normalize(c.getBaseType());
        return !registry.isInstanceOf(d, c) && !registry.isInstanceOf(c, d);
    }

    private static boolean isKnown(String type) {
        try {
            return Database.TYPES.getRegisteredMimeType(type) != null;
        } catch (org.apache.tika.mime.MimeTypeException e) {
            return false;
        }
    }

    private static boolean isGeneric(String type) {
        return type.equals(GENERIC_BINARY) || type.equals(GENERIC_TEXT);
    }

    /** Loads the database now (at rules load), so the first message does not wait for it. */
    static void load() {
        Database.TYPES.getMinLength();
    }
}
