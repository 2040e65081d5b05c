package org.mailroom.delivery.internal;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Map;

/**
 * The Java charset that decodes a MIME charset label as mail clients do: a label is read as the
 * superset that senders actually write under it (GB2312 and GBK as GB18030, Big5 as Microsoft's
 * code page 950, ISO-8859-1 and US-ASCII as windows-1252 and UTF-8), and an unknown label as UTF-8.
 */
final class Charsets {

    private static final Map<String, String> SUPERSETS = Map.of(
            "gb2312", "GB18030",
            "gbk", "GB18030",
            "x-gbk", "GB18030",
            "cp936", "GB18030",
            "big5", "x-windows-950",
            "iso-8859-1", "windows-1252",
            "latin1", "windows-1252",
            "us-ascii", "UTF-8",
            "ks_c_5601-1987", "x-windows-949");

    private Charsets() {}

    static Charset forMime(String label) {
        if (label == null || label.isBlank()) {
            return StandardCharsets.UTF_8;
        }
        String name = label.strip().toLowerCase(Locale.ROOT);
        String superset = SUPERSETS.get(name);
        for (String candidate : superset == null ? new String[] {name} : new String[] {superset, name}) {
            try {
                return Charset.forName(candidate);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException unknown) {
                // the next candidate, or UTF-8
            }
        }
        return StandardCharsets.UTF_8;
    }
}
