package org.mailroom.smtp.internal;

/**
 * The ESMTP parameters of MAIL FROM: SIZE (RFC 1870), BODY (RFC 6152 8BITMIME, RFC 3030
 * BINARYMIME), SMTPUTF8 (RFC 6531), RET and ENVID (RFC 3461 DSN), AUTH (RFC 4954). This is syntax
 * only: whether the server offers an extension, and whether SIZE is over its limit, the session
 * decides (a parameter of an extension not offered is {@code 555 5.5.4} too, RFC 5321 section
 * 4.1.1.11).
 *
 * @param size the declared message size in octets, -1 if not given; a number beyond
 *     {@code Long.MAX_VALUE} is {@code Long.MAX_VALUE}, so that it is refused as too big
 * @param body the BODY value, null if not given
 * @param smtputf8 whether SMTPUTF8 was given
 * @param ret the RET value, null if not given
 * @param envid the ENVID, xtext-decoded, null if not given
 * @param auth the AUTH identity, xtext-decoded ({@code <>} for none, as sent), null if not given
 */
record MailParameters(long size, Body body, boolean smtputf8, Ret ret, String envid, String auth) {

    /** The parameters of a MAIL FROM without any. */
    static final MailParameters NONE = new MailParameters(-1, null, false, null, null, null);

    /** RFC 1870: size-value = 1*20DIGIT. */
    private static final int MAX_SIZE_DIGITS = 20;

    /** RFC 3461 section 4.4: at most 100 characters. */
    static final int MAX_ENVID = 100;

    private static final String COMMAND = "MAIL FROM";

    enum Body {
        SEVEN_BIT("7BIT"),
        EIGHT_BIT_MIME("8BITMIME"),
        BINARY_MIME("BINARYMIME");

        private final String keyword;

        Body(String keyword) {
            this.keyword = keyword;
        }

        /** The value as in the command. */
        String keyword() {
            return keyword;
        }
    }

    enum Ret {
        FULL,
        HDRS
    }

    /**
     * Parses the parameters of a MAIL argument (as {@link Command} gives it): the path at its
     * start is skipped, its syntax checked as {@link Path#parseReverse} does; parse the path
     * itself with that method, with this result's {@link #smtputf8()}. Keywords are
     * case-insensitive, values of BODY and RET too. Errors: a malformed, duplicate or
     * ill-valued parameter {@code 501 5.5.4}, an unknown keyword {@code 555 5.5.4}.
     */
    static MailParameters parse(String argument) throws SmtpSyntaxException {
        int end = Path.end(argument, true);
        long size = -1;
        Body body = null;
        boolean smtputf8 = false;
        Ret ret = null;
        String envid = null;
        String auth = null;
        for (EsmtpParameter p : EsmtpParameter.split(argument.substring(end), COMMAND)) {
            switch (p.keyword()) {
                case "SIZE" -> size = size(p.required());
                case "BODY" -> body = body(p.required());
                case "SMTPUTF8" -> {
                    if (p.value() != null) {
                        throw EsmtpParameter.badValue("SMTPUTF8", "it takes no value");
                    }
                    smtputf8 = true;
                }
                case "RET" -> ret = ret(p.required());
                case "ENVID" -> envid = envid(p.required());
                case "AUTH" -> auth = auth(p.required());
                default -> throw EsmtpParameter.unsupported(p.keyword(), COMMAND);
            }
        }
        return new MailParameters(size, body, smtputf8, ret, envid, auth);
    }

    /** True if no parameter was given (the only valid case after HELO rather than EHLO). */
    boolean isEmpty() {
        return equals(NONE);
    }

    private static long size(String value) throws SmtpSyntaxException {
        if (value.length() > MAX_SIZE_DIGITS) {
            throw EsmtpParameter.badValue("SIZE", "at most " + MAX_SIZE_DIGITS + " digits");
        }
        long size = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw EsmtpParameter.badValue("SIZE", "a number of octets");
            }
            int digit = c - '0';
            size = size > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : size * 10 + digit;
        }
        return size;
    }

    private static Body body(String value) throws SmtpSyntaxException {
        for (Body body : Body.values()) {
            if (body.keyword.equalsIgnoreCase(value)) {
                return body;
            }
        }
        throw EsmtpParameter.badValue("BODY", "7BIT, 8BITMIME or BINARYMIME");
    }

    private static Ret ret(String value) throws SmtpSyntaxException {
        for (Ret ret : Ret.values()) {
            if (ret.name().equalsIgnoreCase(value)) {
                return ret;
            }
        }
        throw EsmtpParameter.badValue("RET", "FULL or HDRS");
    }

    /** RFC 3461 section 4.4: xtext of printable US-ASCII, at most 100 characters decoded. */
    private static String envid(String value) throws SmtpSyntaxException {
        String envid = Xtext.decode(value);
        if (envid == null || !Xtext.isPrintableAscii(envid) || envid.length() > MAX_ENVID) {
            throw EsmtpParameter.badValue("ENVID", "xtext of at most " + MAX_ENVID + " printable ASCII characters");
        }
        return envid;
    }

    /** RFC 4954 section 5: AUTH=xtext (an addr-spec) or AUTH=&lt;&gt;. */
    private static String auth(String value) throws SmtpSyntaxException {
        String auth = Xtext.decode(value);
        if (auth == null || auth.isEmpty() || hasControl(auth)) {
            throw EsmtpParameter.badValue("AUTH", "xtext or <>");
        }
        return auth;
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0) {
                return true;
            }
        }
        return false;
    }
}
