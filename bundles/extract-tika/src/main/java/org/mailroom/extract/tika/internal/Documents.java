package org.mailroom.extract.tika.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.mailroom.api.filter.MimePart;

/**
 * Tells the documents this bundle reads from what they begin with: the declared type and the
 * file name can lie, the first octets of the decoded content do not.
 */
enum Documents {
    /** PDF: {@code %PDF-} within the first 1024 octets (ISO 32000-1 7.5.2 allows leading junk). */
    PDF("application/pdf"),
    /** Word, Excel, PowerPoint 97-2003 (.doc, .xls, .ppt): an OLE2 compound file. */
    OFFICE_BINARY("application/x-tika-msoffice"),
    /** Word, Excel, PowerPoint 2007 and later (.docx, .xlsx, .pptx, ...): a zip with [Content_Types].xml. */
    OFFICE_OPEN_XML("application/x-tika-ooxml");

    private final String mediaType;

    Documents(String mediaType) {
        this.mediaType = mediaType;
    }

    /**
     * The media type Tika's parsers are given for the document in {@code file}. For OOXML, that
     * of its main part: Tika's OOXML parser reads nothing from a package it is not told the kind of.
     */
    String mediaType(Path file) throws IOException {
        if (this != OFFICE_OPEN_XML) {
            return mediaType;
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Map.Entry<String, String> main : OOXML_MAIN_PARTS.entrySet()) {
                if (zip.getEntry(main.getKey()) != null) {
                    return main.getValue();
                }
            }
        } catch (ZipException e) {
            throw new IOException("the document is damaged or not what it claims: " + e.getMessage(), e);
        }
        return mediaType;
    }

    private static final Map<String, String> OOXML_MAIN_PARTS = Map.of(
            "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation");

    private static final byte[] OLE2 = {
        (byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1
    };
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final Set<String> OOXML_EXTENSIONS = Set.of(
            "docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm", "pptx", "pptm", "potx", "ppsx", "ppsm");

    /** The document the part holds, or null for one this bundle does not read. */
    static Documents of(MimePart part, byte[] head, int length) {
        if (startsWith(head, length, OLE2)) {
            return OFFICE_BINARY;
        }
        if (startsWith(head, length, ZIP)) {
            boolean contentTypes = new String(head, 0, length, ISO_8859_1).contains("[Content_Types].xml");
            return contentTypes || OOXML_EXTENSIONS.contains(extension(part.fileName())) ? OFFICE_OPEN_XML : null;
        }
        String start = new String(head, 0, Math.min(length, 1024), ISO_8859_1);
        return start.contains("%PDF-") ? PDF : null;
    }

    private static boolean startsWith(byte[] head, int length, byte[] magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String extension(String fileName) {
        if (fileName == null) {
            return "";
        }
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
