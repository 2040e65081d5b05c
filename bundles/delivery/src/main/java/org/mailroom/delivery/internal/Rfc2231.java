package org.mailroom.delivery.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.apache.james.mime4j.stream.NameValuePair;

/**
 * RFC 2231 parameter values (continuations {@code name*0}, {@code name*1}, ... and charsets
 * {@code name*=charset'language'%XX}), which Mime4j's field parser hands over as written.
 */
final class Rfc2231 {

    private Rfc2231() {}

    /** The decoded value of parameter {@code name}, or null if there is none. */
    static String value(List<NameValuePair> params, String name) {
        String plain = null;
        String extended = null;
        TreeMap<Integer, NameValuePair> sections = new TreeMap<>();
        String lower = name.toLowerCase(Locale.ROOT);
        for (NameValuePair p : params) {
            String n = p.getName().toLowerCase(Locale.ROOT);
            if (p.getValue() == null) {
                continue;
            }
            if (n.equals(lower)) {
                plain = p.getValue();
            } else if (n.equals(lower + "*")) {
                extended = p.getValue();
            } else if (n.startsWith(lower + "*")) {
                String rest = n.substring(lower.length() + 1);
                String digits = rest.endsWith("*") ? rest.substring(0, rest.length() - 1) : rest;
                if (!digits.isEmpty() && digits.length() <= 3 && digits.chars().allMatch(Character::isDigit)) {
                    sections.putIfAbsent(Integer.parseInt(digits), p);
                }
            }
        }
        if (extended != null) {
            return decodeExtended(extended);
        }
        if (!sections.isEmpty()) {
            return joinSections(sections);
        }
        return plain;
    }

    /** Joins {@code name*0}, {@code name*1}, ... in order, up to the first missing number. */
    private static String joinSections(TreeMap<Integer, NameValuePair> sections) {
        StringBuilder value = new StringBuilder();
        Charset charset = null;
        int expected = 0;
        for (var e : sections.entrySet()) {
            if (e.getKey() != expected++) {
                break;
            }
            NameValuePair p = e.getValue();
            boolean encoded = p.getName().endsWith("*");
            String v = p.getValue();
            if (!encoded) {
                value.append(v);
            } else if (e.getKey() == 0) {
                int first = v.indexOf('\'');
                int second = first < 0 ? -1 : v.indexOf('\'', first + 1);
                charset = second < 0 ? StandardCharsets.UTF_8 : Charsets.forMime(v.substring(0, first));
                value.append(percentDecode(second < 0 ? v : v.substring(second + 1), charset));
            } else {
                value.append(percentDecode(v, charset == null ? StandardCharsets.UTF_8 : charset));
            }
        }
        return value.toString();
    }

    private static String decodeExtended(String v) {
        int first = v.indexOf('\'');
        int second = first < 0 ? -1 : v.indexOf('\'', first + 1);
        if (second < 0) {
            return percentDecode(v, StandardCharsets.UTF_8);
        }
        return percentDecode(v.substring(second + 1), Charsets.forMime(v.substring(0, first)));
    }

    private static String percentDecode(String v, Charset charset) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '%' && i + 2 < v.length() && hex(v.charAt(i + 1)) >= 0 && hex(v.charAt(i + 2)) >= 0) {
                bytes.write(hex(v.charAt(i + 1)) * 16 + hex(v.charAt(i + 2)));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        return new String(bytes.toByteArray(), charset);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
