package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.mailroom.api.delivery.Verdict;

/**
 * An SMTP reply (RFC 5321 section 4.2): a code and one or more lines of text, each line with the
 * same enhanced status code (RFC 2034, RFC 3463) when there is one. {@link #lines()} gives the
 * wire form without line ends ({@code 250-...} for all lines but the last, {@code 250 ...} for
 * the last), ready for {@code Connection.send}.
 *
 * <p>RFC 2034 section 3 puts enhanced status codes on every 2xx, 4xx and 5xx reply but the
 * greeting and the replies to HELO and EHLO (LHLO too); 3xx replies (354, 334) have none: use
 * {@link #plain} or {@link #ehlo} for those.
 *
 * <p>Texts are made safe to send: a control character (CR, LF, NUL, ...) becomes '?', so that no
 * text, whatever part of it came from the client, can end a reply line early or inject one; and
 * every line is cut to the 512 octets RFC 5321 section 4.5.3.1.5 allows (CRLF included).
 *
 * @param code the three-digit reply code, 200 to 599
 * @param status the enhanced status code ({@code 2.1.0}), or null for none; its class matches
 *     the code's first digit
 * @param texts the text of each line, at least one
 */
record Reply(int code, String status, List<String> texts) {

    /** The longest reply line without its CRLF. */
    static final int MAX_LINE = 510;

    private static final Pattern STATUS = Pattern.compile("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}");

    Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code " + code);
        }
        if (status != null) {
            if (!STATUS.matcher(status).matches() || status.charAt(0) - '0' != code / 100) {
                throw new IllegalArgumentException("enhanced status code " + status + " for " + code);
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
        List<String> safe = new ArrayList<>(texts.size());
        for (String text : texts) {
            safe.add(withoutControls(Objects.requireNonNull(text, "text")));
        }
        texts = List.copyOf(safe);
    }

    /** A one-line reply with an enhanced status code: {@code of(250, "2.1.0", "Ok")}. */
    static Reply of(int code, String status, String text) {
        return new Reply(code, Objects.requireNonNull(status, "status"), List.of(text));
    }

    /** A multi-line reply with the enhanced status code on every line. */
    static Reply of(int code, String status, List<String> texts) {
        return new Reply(code, Objects.requireNonNull(status, "status"), texts);
    }

    /**
     * The reply a content filter's refusal gives ({@link Verdict#reason()} of a refused verdict:
     * {@code "550 5.7.1 text"}); a generic one if the line is not a well-formed 4xx/5xx reply.
     */
    static Reply refusal(Verdict verdict) {
        boolean permanent = verdict.outcome() == Verdict.Outcome.REJECTED;
        String[] parts = verdict.reason().split(" ", 3);
        try {
            int code = Integer.parseInt(parts[0]);
            if (parts.length == 3 && code / 100 == (permanent ? 5 : 4)) {
                return of(code, parts[1], parts[2]);
            }
        } catch (IllegalArgumentException malformed) {
            // the generic reply below
        }
        return permanent
                ? of(550, "5.7.1", "Message content rejected")
                : of(451, "4.7.1", "Message content not accepted now, try again later");
    }

    /** A one-line reply without an enhanced status code: the greeting, HELO, 354, 334. */
    static Reply plain(int code, String text) {
        return new Reply(code, null, List.of(text));
    }

    /**
     * The reply to EHLO (or LHLO): {@code 250-<greeting>}, then one line per extension keyword
     * with its parameters ({@code "SIZE 10240000"}, {@code "AUTH PLAIN LOGIN"}), the last one
     * {@code 250 <keyword>}. No enhanced status codes (RFC 2034 section 3).
     */
    static Reply ehlo(String greeting, List<String> keywords) {
        List<String> texts = new ArrayList<>(keywords.size() + 1);
        texts.add(greeting);
        texts.addAll(keywords);
        return new Reply(250, null, texts);
    }

    /** True for 2xx replies. */
    boolean isPositive() {
        return code < 300;
    }

    /** The lines as sent, without CRLF. */
    List<String> lines() {
        List<String> lines = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            StringBuilder line = new StringBuilder().append(code).append(i == texts.size() - 1 ? ' ' : '-');
            if (status != null) {
                line.append(status);
                if (!texts.get(i).isEmpty()) {
                    line.append(' ');
                }
            }
            line.append(texts.get(i));
            lines.add(cut(line.toString()));
        }
        return lines;
    }

    /** The lines as sent, joined by CRLF (no final CRLF): for logs and tests. */
    @Override
    public String toString() {
        return String.join("\r\n", lines());
    }

    /**
     * Client text for a reply: controls and non-ASCII characters become '?', and more than
     * {@code max} characters are cut to {@code max} and "...". For echoing a keyword or an
     * argument back to the client, which may not read UTF-8.
     */
    static String quote(String clientText, int max) {
        StringBuilder b = new StringBuilder(Math.min(clientText.length(), max + 3));
        for (int i = 0; i < clientText.length() && i < max; i++) {
            char c = clientText.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (clientText.length() > max) {
            b.append("...");
        }
        return b.toString();
    }

    private static String withoutControls(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                StringBuilder b = new StringBuilder(text);
                for (int j = i; j < b.length(); j++) {
                    if (isControl(b.charAt(j))) {
                        b.setCharAt(j, '?');
                    }
                }
                return b.toString();
            }
        }
        return text;
    }

    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0);
    }

    /** Cuts a line to {@link #MAX_LINE} octets of UTF-8, never inside a character. */
    private static String cut(String line) {
        if (line.length() * 3 <= MAX_LINE || line.getBytes(UTF_8).length <= MAX_LINE) {
            return line;
        }
        int octets = 0;
        int i = 0;
        while (i < line.length()) {
            int cp = line.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (octets + n > MAX_LINE) {
                break;
            }
            octets += n;
            i += Character.charCount(cp);
        }
        return line.substring(0, i);
    }
}
