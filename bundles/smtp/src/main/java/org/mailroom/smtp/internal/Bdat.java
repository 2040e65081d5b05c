package org.mailroom.smtp.internal;

/**
 * The argument of BDAT (RFC 3030 section 2): {@code chunk-size [SP end-marker]}, chunk-size
 * 1*DIGIT, end-marker "LAST" (case-insensitive). {@code BDAT 0 LAST} is valid (it ends a message
 * whose last chunk was sent without LAST), and so is {@code BDAT 0}.
 *
 * @param size the chunk size in octets
 * @param last whether this is the last chunk
 */
record Bdat(long size, boolean last) {

    private static final String SYNTAX = "Syntax: BDAT chunk-size [LAST]";

    /**
     * Parses the argument of BDAT as {@link Command} gives it. A size that is not all digits, or
     * beyond {@code Long.MAX_VALUE}, or anything but LAST after it is {@code 501 5.5.4}. Spaces
     * between size and LAST may be more than one.
     */
    static Bdat parse(String argument) throws SmtpSyntaxException {
        int i = 0;
        long size = 0;
        while (i < argument.length() && !Command.isSpace(argument.charAt(i))) {
            char c = argument.charAt(i++);
            if (c < '0' || c > '9') {
                throw syntax();
            }
            int digit = c - '0';
            if (size > (Long.MAX_VALUE - digit) / 10) {
                throw new SmtpSyntaxException(501, "5.5.4", "BDAT chunk size too large");
            }
            size = size * 10 + digit;
        }
        if (i == 0) {
            throw syntax();
        }
        while (i < argument.length() && Command.isSpace(argument.charAt(i))) {
            i++;
        }
        String rest = argument.substring(i);
        if (rest.isEmpty()) {
            return new Bdat(size, false);
        }
        if (rest.equalsIgnoreCase("LAST")) {
            return new Bdat(size, true);
        }
        throw syntax();
    }

    private static SmtpSyntaxException syntax() {
        return new SmtpSyntaxException(501, "5.5.4", SYNTAX);
    }
}
