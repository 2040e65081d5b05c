package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;

/**
 * One SMTP or LMTP command line (RFC 5321 section 4.1.1), without its line end: the verb in upper
 * case and the rest. For MAIL and RCPT the argument is what follows {@code FROM:} and {@code TO:}
 * (the path and its parameters), so that {@link Path} and {@link MailParameters} or
 * {@link RcptParameters} take it as it is.
 *
 * <p>The caller enforces the line length (RFC 5321 section 4.5.3.1.4); this class only parses.
 *
 * @param verb the command verb, ASCII letters in upper case ({@code "MAIL"}, {@code "EHLO"})
 * @param argument what follows the verb (for MAIL and RCPT, what follows the colon), without
 *     leading and trailing white space; empty when there is none
 */
record Command(String verb, String argument) {

    private static final String MAIL_SYNTAX = "Syntax: MAIL FROM:<address>";
    private static final String RCPT_SYNTAX = "Syntax: RCPT TO:<address>";

    /**
     * Parses a command line. Errors ({@code 500 5.5.2}): an empty line, a NUL, CR or LF octet, a
     * non-ASCII octet unless {@code utf8Allowed} (the server offers SMTPUTF8, RFC 6531), and then
     * malformed UTF-8; MAIL without {@code FROM:} and RCPT without {@code TO:} ({@code 501 5.5.4}).
     * One or more spaces may follow the colon of {@code MAIL FROM:} and {@code RCPT TO:}, as
     * Postfix and Exim accept; tabs count as spaces.
     */
    static Command parse(byte[] line, boolean utf8Allowed) throws SmtpSyntaxException {
        boolean ascii = true;
        for (byte b : line) {
            if (b == 0) {
                throw syntax("NUL octet in command line");
            }
            if (b == '\r' || b == '\n') {
                throw syntax("Bare CR or LF in command line");
            }
            if (b < 0) {
                if (!utf8Allowed) {
                    throw syntax("Non-ASCII octet in command line");
                }
                ascii = false;
            }
        }
        String text = ascii ? new String(line, US_ASCII) : utf8(line);
        int start = skipSpace(text, 0);
        int end = text.length();
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            throw syntax("Empty command line");
        }
        int verbEnd = start;
        while (verbEnd < end && !isSpace(text.charAt(verbEnd))) {
            verbEnd++;
        }
        String verb = upperAscii(text.substring(start, verbEnd));
        String argument = text.substring(Math.min(skipSpace(text, verbEnd), end), end);
        return switch (verb) {
            case "MAIL" -> new Command(verb, afterPrefix(argument, "FROM:", MAIL_SYNTAX));
            case "RCPT" -> new Command(verb, afterPrefix(argument, "TO:", RCPT_SYNTAX));
            default -> new Command(verb, argument);
        };
    }

    /** True if there is an argument. */
    boolean hasArgument() {
        return !argument.isEmpty();
    }

    private static String afterPrefix(String argument, String prefix, String syntax) throws SmtpSyntaxException {
        if (!argument.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new SmtpSyntaxException(501, "5.5.4", syntax);
        }
        return argument.substring(skipSpace(argument, prefix.length()));
    }

    private static String utf8(byte[] line) throws SmtpSyntaxException {
        try {
            return UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line))
                    .toString();
        } catch (CharacterCodingException e) {
            throw syntax("Malformed UTF-8 in command line");
        }
    }

    private static int skipSpace(String s, int from) {
        int i = from;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** Upper case for ASCII letters only: no locale, and "i" never becomes a dotted capital. */
    static String upperAscii(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'a' && chars[i] <= 'z') {
                chars[i] -= 'a' - 'A';
            }
        }
        return new String(chars);
    }

    private static SmtpSyntaxException syntax(String text) {
        return new SmtpSyntaxException(500, "5.5.2", text);
    }
}
