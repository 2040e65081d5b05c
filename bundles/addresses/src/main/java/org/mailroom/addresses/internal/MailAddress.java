package org.mailroom.addresses.internal;

/**
 * An envelope address split as RFC 5321 reads it: {@code local@domain}, split at the last
 * {@code @}, the local part a dot-string or a quoted string (RFC 5321 4.1.2), either of which may
 * hold UTF-8 (RFC 6531). The local part is kept unquoted; the domain as written.
 */
record MailAddress(String local, String domain) {

    private static final String ATEXT_SYMBOLS = "!#$%&'*+-/=?^_`{|}~";

    /** @throws IllegalArgumentException saying what is wrong with the address */
    static MailAddress parse(String text) {
        int at = text.lastIndexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("no domain in the address");
        }
        String domain = text.substring(at + 1);
        if (domain.isEmpty()) {
            throw new IllegalArgumentException("empty domain");
        }
        return new MailAddress(localPart(text.substring(0, at)), domain);
    }

    /** The local part unquoted, or its unquoted form when it is a quoted string. */
    static String localPart(String raw) {
        if (raw.isEmpty()) {
            throw new IllegalArgumentException("empty local part");
        }
        if (raw.charAt(0) == '"') {
            return unquote(raw);
        }
        if (raw.startsWith(".") || raw.endsWith(".") || raw.contains("..")) {
            throw new IllegalArgumentException("misplaced '.' in the local part");
        }
        raw.codePoints().filter(c -> c != '.' && !isAtext(c)).findFirst().ifPresent(c -> {
            throw new IllegalArgumentException("local part contains " + describe(c) + " (quote it)");
        });
        return raw;
    }

    private static String unquote(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 1; i < raw.length(); ) {
            int c = raw.codePointAt(i);
            if (c == '"') {
                if (i != raw.length() - 1) {
                    throw new IllegalArgumentException("text after the closing quote of the local part");
                }
                if (out.length() == 0) {
                    throw new IllegalArgumentException("empty local part");
                }
                return out.toString();
            }
            if (c == '\\') {
                if (i + 1 >= raw.length() || raw.charAt(i + 1) < 32 || raw.charAt(i + 1) > 126) {
                    throw new IllegalArgumentException("bad backslash escape in the quoted local part");
                }
                out.append(raw.charAt(i + 1));
                i += 2;
                continue;
            }
            if (c < 32 || c == 127 || !isText(c)) {
                throw new IllegalArgumentException("quoted local part contains " + describe(c));
            }
            out.appendCodePoint(c);
            i += Character.charCount(c);
        }
        throw new IllegalArgumentException("unterminated quoted local part");
    }

    /** RFC 5322 atext, with UTF-8 beyond ASCII (RFC 6531). */
    static boolean isAtext(int c) {
        if (c >= 0x80) {
            return isText(c);
        }
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || ATEXT_SYMBOLS.indexOf(c) >= 0;
    }

    /** Printable ASCII, or a non-ASCII character that is neither a control nor a lone surrogate. */
    private static boolean isText(int c) {
        return c < 0x80
                ? c >= 32 && c < 127
                : !Character.isISOControl(c) && Character.getType(c) != Character.SURROGATE;
    }

    /**
     * The local part before its extension ({@code user} of {@code user+tag}): up to the first of
     * the delimiter characters, or null when there is none after the first character.
     */
    static String base(String local, String delimiters) {
        for (int i = 1; i < local.length(); i++) {
            if (delimiters.indexOf(local.charAt(i)) >= 0) {
                return local.substring(0, i);
            }
        }
        return null;
    }

    /** A character named for a log or a reply: quoted when printable ASCII, else U+XXXX. */
    static String describe(int c) {
        return c > 32 && c < 127 ? "'" + (char) c + "'" : String.format("U+%04X", c);
    }

    /** Text from a file for a log line, with control characters shown as U+XXXX. */
    static String show(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(describe(c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
