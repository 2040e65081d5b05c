package org.mailroom.api.protocol;

/**
 * Makes client-supplied text safe for a log line: control characters (including CR, LF, ESC,
 * BEL and NUL) and backslashes are escaped, and long values are cut, so a client can neither
 * forge log lines nor send escape sequences to an operator's terminal.
 *
 * @since 1.1
 */
public final class LogText {

    /** Longest value kept, in characters; the rest is replaced by an ellipsis. */
    public static final int MAX_LENGTH = 256;

    private LogText() {}

    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 8);
        int n = Math.min(text.length(), MAX_LENGTH);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                out.append(c < 0x80 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > MAX_LENGTH) {
            out.append("...");
        }
        return out.toString();
    }
}
