package org.mailroom.filter.words.internal;

/**
 * The visible text of HTML as it streams: tags, comments and the content of {@code script} and
 * {@code style} elements dropped (a tag counts as a space, so words on either side stay apart,
 * while a word split by inline markup such as {@code 机<b>密</b>} is joined again when the tag
 * is inline), character references ({@code &amp;}, {@code &#26426;}, {@code &#x5BC6;}) decoded.
 */
final class HtmlText {

    interface Sink {
        void put(char c);
    }

    private static final int MAX_PENDING = 32;
    private static final java.util.Set<String> INLINE = java.util.Set.of(
            "a", "b", "i", "u", "s", "em", "strong", "span", "font", "small", "big", "sub", "sup", "mark", "abbr",
            "code");

    private final StringBuilder pending = new StringBuilder();
    private State state = State.TEXT;
    private boolean comment;
    private int dashes;
    private String skipUntil;

    private enum State {
        TEXT,
        TAG,
        ENTITY
    }

    void reset() {
        state = State.TEXT;
        pending.setLength(0);
        skipUntil = null;
        comment = false;
    }

    void strip(CharSequence chars, Sink out) {
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            switch (state) {
                case TEXT -> {
                    if (c == '<') {
                        state = State.TAG;
                        pending.setLength(0);
                    } else if (skipUntil != null) {
                        // inside script or style
                    } else if (c == '&') {
                        state = State.ENTITY;
                        pending.setLength(0);
                    } else {
                        out.put(c);
                    }
                }
                case TAG -> {
                    if (comment) {
                        if (c == '>' && dashes >= 2) {
                            comment = false;
                            state = State.TEXT;
                        }
                        dashes = c == '-' ? dashes + 1 : 0;
                    } else if (c == '>') {
                        state = State.TEXT;
                        endTag(out);
                    } else if (pending.length() < 256) {
                        pending.append(c);
                        if (pending.length() == 3 && pending.toString().equals("!--")) {
                            comment = true;
                            dashes = 0;
                        }
                    }
                }
                case ENTITY -> {
                    if (c == ';' || pending.length() >= MAX_PENDING) {
                        state = State.TEXT;
                        String decoded = reference(pending.toString());
                        if (decoded != null && c == ';') {
                            decoded.chars().forEach(ch -> out.put((char) ch));
                        } else {
                            out.put('&');
                            pending.chars().forEach(ch -> out.put((char) ch));
                            out.put(c);
                        }
                    } else if (Character.isLetterOrDigit(c) || c == '#') {
                        pending.append(c);
                    } else {
                        state = State.TEXT;
                        out.put('&');
                        pending.chars().forEach(ch -> out.put((char) ch));
                        out.put(c);
                    }
                }
            }
        }
    }

    private void endTag(Sink out) {
        String tag = pending.toString().strip();
        boolean closing = tag.startsWith("/");
        String name = tag.replaceFirst("^/", "").split("[\\s/>]", 2)[0].toLowerCase(java.util.Locale.ROOT);
        if (skipUntil != null) {
            if (closing && name.equals(skipUntil)) {
                skipUntil = null;
            }
            return;
        }
        if (!closing && (name.equals("script") || name.equals("style")) && !tag.endsWith("/")) {
            skipUntil = name;
        }
        if (!INLINE.contains(name)) {
            out.put(' ');
        }
    }

    private static String reference(String name) {
        if (name.startsWith("#")) {
            try {
                int cp = name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X')
                        ? Integer.parseInt(name.substring(2), 16)
                        : Integer.parseInt(name.substring(1));
                return Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return switch (name) {
            case "amp" -> "&";
            case "lt" -> "<";
            case "gt" -> ">";
            case "quot" -> "\"";
            case "apos" -> "'";
            case "nbsp" -> " ";
            default -> null;
        };
    }
}
