package org.mailroom.smtp.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One esmtp-param of MAIL or RCPT (RFC 5321 section 4.1.2): {@code esmtp-keyword ["=" esmtp-value]}.
 *
 * @param keyword the keyword in upper case
 * @param value the value as written, or null when there is no "="
 */
record EsmtpParameter(String keyword, String value) {

    /** The longest keyword echoed in a reply. */
    private static final int ECHO = 40;

    /**
     * Splits the parameters after a path: separated by spaces (one or more, tabs too, as Postfix
     * and Exim accept), each a keyword of letters, digits and hyphens starting with a letter or
     * digit, then optionally "=" and a value of printable ASCII without "=" (and UTF-8 under
     * SMTPUTF8, RFC 6531 section 3.3). A malformed parameter is {@code 501 5.5.4}, a keyword
     * given twice too.
     *
     * @param command "MAIL FROM" or "RCPT TO", for the replies
     */
    static List<EsmtpParameter> split(String parameters, String command) throws SmtpSyntaxException {
        List<EsmtpParameter> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int i = 0;
        int n = parameters.length();
        while (true) {
            while (i < n && Command.isSpace(parameters.charAt(i))) {
                i++;
            }
            if (i == n) {
                return list;
            }
            int start = i;
            while (i < n && !Command.isSpace(parameters.charAt(i))) {
                i++;
            }
            EsmtpParameter parameter = parse(parameters.substring(start, i), command);
            if (!seen.add(parameter.keyword)) {
                throw new SmtpSyntaxException(
                        501, "5.5.4", "Duplicate " + command + " parameter " + Reply.quote(parameter.keyword, ECHO));
            }
            list.add(parameter);
        }
    }

    private static EsmtpParameter parse(String token, String command) throws SmtpSyntaxException {
        int equals = token.indexOf('=');
        String keyword = equals < 0 ? token : token.substring(0, equals);
        String value = equals < 0 ? null : token.substring(equals + 1);
        if (!isKeyword(keyword) || value != null && !isValue(value)) {
            throw new SmtpSyntaxException(501, "5.5.4", "Bad " + command + " parameter syntax");
        }
        return new EsmtpParameter(Command.upperAscii(keyword), value);
    }

    /** esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
    private static boolean isKeyword(String s) {
        if (s.isEmpty() || s.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** esmtp-value = 1*(%d33-60 / %d62-126 / UTF8-non-ascii). */
    private static boolean isValue(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 33 && c <= 126 && c != '=' || c >= 0xa0)) {
                return false;
            }
        }
        return true;
    }

    /** The reply for a keyword this server does not know or does not implement (RFC 5321 4.1.1.11). */
    static SmtpSyntaxException unsupported(String keyword, String command) {
        return new SmtpSyntaxException(
                555, "5.5.4", "Unsupported " + command + " parameter " + Reply.quote(keyword, ECHO));
    }

    /** The reply for a known keyword with a bad value, or with a value missing or extra. */
    static SmtpSyntaxException badValue(String keyword, String expected) {
        return new SmtpSyntaxException(501, "5.5.4", "Bad " + keyword + " parameter: " + expected);
    }

    /** The value; a {@link #badValue} error if there is none. */
    String required() throws SmtpSyntaxException {
        if (value == null) {
            throw badValue(keyword, "a value is required");
        }
        return value;
    }
}
