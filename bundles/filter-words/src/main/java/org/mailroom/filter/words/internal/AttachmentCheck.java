package org.mailroom.filter.words.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An attachment rule in the form the session checks it.
 *
 * @param rule the index of its rule
 * @param kind extension, type, size, mismatch, unreadable-archive or unreadable-document
 * @param extensions for extension rules: the extensions, lower case, without the dot
 * @param type for type rules: a media type, or a prefix ending in {@code *}
 * @param maxSize for size rules: a part larger than this many octets (decoded) matches
 */
record AttachmentCheck(int rule, Rule.Kind kind, Set<String> extensions, String type, long maxSize) {

    static AttachmentCheck extensions(int rule, String list) {
        Set<String> extensions = Arrays.stream(list.split("[,\\s]+"))
                .map(e -> e.strip().toLowerCase(Locale.ROOT))
                .map(e -> e.startsWith(".") ? e.substring(1) : e)
                .filter(e -> !e.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        if (extensions.isEmpty() || extensions.stream().anyMatch(e -> !e.matches("[a-z0-9_~$-]+(\\.[a-z0-9_~$-]+)*"))) {
            throw new IllegalArgumentException("expected extensions like exe,scr,js, got \"" + list + "\"");
        }
        return new AttachmentCheck(rule, Rule.Kind.EXTENSION, extensions, null, 0);
    }

    static AttachmentCheck type(int rule, String type) {
        String t = type.strip().toLowerCase(Locale.ROOT);
        if (!t.matches("[a-z0-9!#$&^_.+-]+/([a-z0-9!#$&^_.+-]+\\*?|\\*)")) {
            throw new IllegalArgumentException(
                    "expected a media type like application/x-msdownload or application/x-*, got \"" + type + "\"");
        }
        return new AttachmentCheck(rule, Rule.Kind.TYPE, Set.of(), t, 0);
    }

    static AttachmentCheck size(int rule, String size) {
        return new AttachmentCheck(rule, Rule.Kind.SIZE, Set.of(), null, parseSize(size));
    }

    static AttachmentCheck plain(int rule, Rule.Kind kind) {
        return new AttachmentCheck(rule, kind, Set.of(), null, 0);
    }

    /** {@code 500k}, {@code 10M}, {@code 1G} (powers of 1024) or plain octets. */
    static long parseSize(String size) {
        String s = size.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("k") || s.endsWith("m") || s.endsWith("g")) {
            unit = switch (s.charAt(s.length() - 1)) {
                case 'k' -> 1024L;
                case 'm' -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            s = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(s);
            if (n >= 0 && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expected a size like 10M, 500k or 1048576, got \"" + size + "\"");
    }

    /** Whether a file name ends in one of this rule's extensions ({@code .tar.gz} style ones too). */
    boolean matchesName(String fileName) {
        String name = trimmed(fileName).toLowerCase(Locale.ROOT);
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            if (extensions.contains(name.substring(dot + 1))) {
                return true;
            }
        }
        return false;
    }

    boolean matchesType(String mediaType) {
        return type.endsWith("*") ? mediaType.startsWith(type.substring(0, type.length() - 1)) : mediaType.equals(type);
    }

    /** The name as Windows would treat it: trailing dots and spaces do not count. */
    static String trimmed(String fileName) {
        int end = fileName.length();
        while (end > 0 && (fileName.charAt(end - 1) == '.' || fileName.charAt(end - 1) == ' ')) {
            end--;
        }
        return fileName.substring(0, end);
    }
}
