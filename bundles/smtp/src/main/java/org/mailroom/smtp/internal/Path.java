package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A reverse-path (MAIL FROM) or forward-path (RCPT TO), RFC 5321 section 4.1.2, with SMTPUTF8
 * addresses (RFC 6531 section 3.3).
 *
 * <p>Accepted: {@code <local@domain>} with a dot-string or quoted-string local part and a domain
 * or address literal ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}); a source route before it
 * ({@code <@a.example,@b.example:local@domain>}), which is dropped (RFC 5321 section 4.1.1.3 and
 * appendix C); the null reverse-path {@code <>}; {@code <postmaster>} in any case as a
 * forward-path (section 4.1.1.3). As Postfix and Exim do, the angle brackets may be left out
 * around a plain address ({@code MAIL FROM:local@domain}).
 *
 * <p>Limits (section 4.5.3.1, in octets of UTF-8): a local part of 64, a domain of 255 (both
 * {@code 553}), a path of 256 with its angle brackets ({@code 501}, as section 4.5.3.1.10 says);
 * the source route does not count, as it is dropped.
 *
 * @param rawLocalPart the local part as the client wrote it, quotes and backslashes included
 *     ({@code "\"john doe\""}); empty for the null path, {@code postmaster} as written for it
 * @param localPart the local part without quoting ({@code john doe}); what mailboxes compare
 * @param domain the domain as written, or the address literal with its brackets
 *     ({@code [192.0.2.1]}); empty for the null path and for {@code <postmaster>}
 */
record Path(String rawLocalPart, String localPart, String domain) {

    static final int MAX_LOCAL_PART = 64;
    static final int MAX_DOMAIN = 255;
    static final int MAX_PATH = 256;

    /** The null reverse-path {@code <>}. */
    static final Path NULL = new Path("", "", "");

    /**
     * Parses the path at the start of a MAIL argument (as {@link Command} gives it); parameters
     * may follow after white space, and are left to {@link MailParameters}. With
     * {@code smtputf8} false (no SMTPUTF8 parameter on this MAIL), a non-ASCII address is refused
     * with {@code 553 5.6.7}. Syntax errors are {@code 501 5.1.7}.
     */
    static Path parseReverse(String argument, boolean smtputf8) throws SmtpSyntaxException {
        return checked(new Parser(argument, true).parse(), true, smtputf8);
    }

    /**
     * Parses the path at the start of a RCPT argument; as {@link #parseReverse}, but the null
     * path is an error and {@code <postmaster>} is accepted. {@code smtputf8}: the transaction's
     * MAIL had the SMTPUTF8 parameter. Syntax errors are {@code 501 5.1.3}.
     */
    static Path parseForward(String argument, boolean smtputf8) throws SmtpSyntaxException {
        return checked(new Parser(argument, false).parse(), false, smtputf8);
    }

    /**
     * The index after the path at the start of {@code argument}, whose syntax is checked (as in
     * {@link #parseReverse} with SMTPUTF8, but no limits): where the parameters begin, after
     * white space.
     */
    static int end(String argument, boolean reverse) throws SmtpSyntaxException {
        Parser parser = new Parser(argument, reverse);
        parser.parse();
        return parser.pos;
    }

    /** True for the null reverse-path {@code <>}. */
    boolean isNull() {
        return rawLocalPart.isEmpty() && domain.isEmpty();
    }

    /** True for {@code <postmaster>} without a domain (RFC 5321 section 4.1.1.3). */
    boolean isPostmaster() {
        return domain.isEmpty() && !rawLocalPart.isEmpty();
    }

    /** True if the domain is an address literal ({@code [192.0.2.1]}). */
    boolean isAddressLiteral() {
        return domain.startsWith("[");
    }

    /** True if the local part or the domain has non-ASCII characters (an SMTPUTF8 address). */
    boolean isUtf8() {
        return !isAscii(rawLocalPart) || !isAscii(domain);
    }

    /**
     * The address for lookups and logs: {@code local@domain}, the local part quoted only when it
     * is not a dot-string ({@code "john doe"@example.org}, but {@code john@example.org} for
     * {@code <"john"@example.org>}); {@code postmaster} for {@code <postmaster>} (lower case, in
     * whatever case it came); empty for the null path. The domain keeps its case.
     */
    String address() {
        if (isNull()) {
            return "";
        }
        if (isPostmaster()) {
            return "postmaster";
        }
        return (isDotString(localPart) ? localPart : quote(localPart)) + "@" + domain;
    }

    /** The path as in a command: {@code <address>}. */
    @Override
    public String toString() {
        return "<" + address() + ">";
    }

    /** Applies the limits and the SMTPUTF8 rule to a path whose syntax is right. */
    private static Path checked(Path path, boolean reverse, boolean smtputf8) throws SmtpSyntaxException {
        if (path.isNull() || path.isPostmaster()) {
            return path;
        }
        if (!smtputf8 && path.isUtf8()) {
            throw new SmtpSyntaxException(553, "5.6.7", "Must declare SMTPUTF8 to send UTF-8 addresses");
        }
        String status = reverse ? "5.1.7" : "5.1.3";
        String which = reverse ? "Sender" : "Recipient";
        int local = octets(path.rawLocalPart);
        int domain = octets(path.domain);
        if (local > MAX_LOCAL_PART) {
            throw new SmtpSyntaxException(
                    553, status, which + " local part too long (" + MAX_LOCAL_PART + " octets at most)");
        }
        if (domain > MAX_DOMAIN) {
            throw new SmtpSyntaxException(553, status, which + " domain too long (" + MAX_DOMAIN + " octets at most)");
        }
        if (local + 1 + domain + 2 > MAX_PATH) {
            throw new SmtpSyntaxException(501, status, which + " path too long (" + MAX_PATH + " octets at most)");
        }
        return path;
    }

    static boolean isAtext(int c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        if (c < 0x80) {
            return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
        }
        return isUtf8NonAscii(c);
    }

    /** RFC 6531's UTF8-non-ascii, without the C1 controls. */
    private static boolean isUtf8NonAscii(int c) {
        return c >= 0xa0 && !Character.isSurrogate((char) c) || c > 0xffff;
    }

    /** True if {@code s} is a non-empty dot-string: atoms of atext joined by single dots. */
    static boolean isDotString(String s) {
        if (s.isEmpty() || s.charAt(0) == '.' || s.charAt(s.length() - 1) == '.' || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (c != '.' && !isAtext(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    private static String quote(String local) {
        StringBuilder b = new StringBuilder(local.length() + 2).append('"');
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('"').toString();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static int octets(String s) {
        return isAscii(s) ? s.length() : s.getBytes(UTF_8).length;
    }

    /** True for an IPv4 address in dotted decimal, RFC 5321's IPv4-address-literal. */
    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !allDigits(part) || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * True for an IPv6 address as RFC 4291 section 2.2 writes it (full, "::"-compressed, with a
     * trailing IPv4 address); "::" may stand for a single group, as inet_pton accepts.
     */
    static boolean isIpv6(String s) {
        int maxGroups = 8;
        String hex = s;
        if (s.indexOf('.') >= 0) {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || !isIpv4(s.substring(colon + 1))) {
                return false;
            }
            hex = s.substring(0, colon + 1);
            if (!hex.endsWith("::")) {
                hex = hex.substring(0, hex.length() - 1);
            }
            maxGroups = 6;
        }
        int compressed = hex.indexOf("::");
        if (compressed < 0) {
            return groups(hex) == maxGroups;
        }
        if (hex.indexOf("::", compressed + 1) >= 0) {
            return false;
        }
        int left = groups(hex.substring(0, compressed));
        int right = groups(hex.substring(compressed + 2));
        return left >= 0 && right >= 0 && left + right < maxGroups;
    }

    /** The number of colon-separated groups of 1 to 4 hex digits, 0 for none, -1 if malformed. */
    private static int groups(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        String[] groups = s.split(":", -1);
        for (String group : groups) {
            if (group.isEmpty() || group.length() > 4) {
                return -1;
            }
            for (int i = 0; i < group.length(); i++) {
                if (Character.digit(group.charAt(i), 16) < 0) {
                    return -1;
                }
            }
        }
        return groups.length;
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** A recursive-descent parser over one argument; {@link #pos} ends after the path. */
    private static final class Parser {

        private final String s;
        private final boolean reverse;
        private int pos;

        Parser(String s, boolean reverse) {
            this.s = s;
            this.reverse = reverse;
        }

        Path parse() throws SmtpSyntaxException {
            if (s.isEmpty()) {
                throw new SmtpSyntaxException(
                        501, "5.5.4", reverse ? "Syntax: MAIL FROM:<address>" : "Syntax: RCPT TO:<address>");
            }
            boolean brackets = s.charAt(0) == '<';
            Path path;
            if (brackets) {
                pos++;
                if (peek() == '>') {
                    pos++;
                    if (!reverse) {
                        throw bad();
                    }
                    return atEnd(NULL);
                }
                boolean route = false;
                if (peek() == '@') {
                    sourceRoute();
                    route = true;
                }
                path = mailbox(route);
                expect('>');
            } else {
                path = mailbox(false);
            }
            return atEnd(path);
        }

        /** The path must be followed by the end or white space. */
        private Path atEnd(Path path) throws SmtpSyntaxException {
            if (pos < s.length() && !Command.isSpace(s.charAt(pos))) {
                throw bad();
            }
            return path;
        }

        /** A-d-l ":" (RFC 5321 section 4.1.2): At-domain *( "," At-domain ), then the colon. */
        private void sourceRoute() throws SmtpSyntaxException {
            do {
                expect('@');
                domain();
            } while (accept(','));
            expect(':');
        }

        private Path mailbox(boolean afterRoute) throws SmtpSyntaxException {
            int start = pos;
            String local;
            if (peek() == '"') {
                local = quotedString();
            } else {
                dotString();
                local = s.substring(start, pos);
            }
            String raw = s.substring(start, pos);
            if (!accept('@')) {
                if (!reverse && !afterRoute && raw.equalsIgnoreCase("postmaster")) {
                    return new Path(raw, "postmaster", "");
                }
                throw bad();
            }
            int domainStart = pos;
            if (peek() == '[') {
                addressLiteral();
            } else {
                domain();
            }
            return new Path(raw, local, s.substring(domainStart, pos));
        }

        /** Dot-string = Atom *("." Atom). */
        private void dotString() throws SmtpSyntaxException {
            atom();
            while (peek() == '.') {
                pos++;
                atom();
            }
        }

        private void atom() throws SmtpSyntaxException {
            int start = pos;
            while (pos < s.length()) {
                int c = s.codePointAt(pos);
                if (!isAtext(c)) {
                    break;
                }
                pos += Character.charCount(c);
            }
            if (pos == start) {
                throw bad();
            }
        }

        /** Quoted-string (RFC 5321, with RFC 6531's UTF-8 qtext); returns its content unquoted. */
        private String quotedString() throws SmtpSyntaxException {
            StringBuilder content = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= s.length()) {
                    throw bad();
                }
                int c = s.codePointAt(pos);
                pos += Character.charCount(c);
                if (c == '"') {
                    return content.toString();
                }
                if (c == '\\') {
                    if (pos >= s.length() || s.charAt(pos) < 32 || s.charAt(pos) > 126) {
                        throw bad();
                    }
                    content.append(s.charAt(pos++));
                } else if (c >= 32 && c <= 126 || isUtf8NonAscii(c)) {
                    content.appendCodePoint(c);
                } else {
                    throw bad();
                }
            }
        }

        /** Domain = sub-domain *("." sub-domain), with RFC 6531's U-labels. */
        private void domain() throws SmtpSyntaxException {
            subDomain();
            while (peek() == '.') {
                pos++;
                subDomain();
            }
        }

        /**
         * sub-domain = Let-dig [Ldh-str]: letters, digits and hyphens, not starting or ending with
         * a hyphen. A non-ASCII letter, digit or combining mark counts as a letter (a U-label;
         * IDNA2008's finer rules are the resolver's business).
         */
        private void subDomain() throws SmtpSyntaxException {
            int start = pos;
            int last = -1;
            while (pos < s.length()) {
                int c = s.codePointAt(pos);
                if (!isLetDig(c) && c != '-') {
                    break;
                }
                if (pos == start && c == '-') {
                    throw bad();
                }
                last = c;
                pos += Character.charCount(c);
            }
            if (pos == start || last == '-') {
                throw bad();
            }
        }

        private static boolean isLetDig(int c) {
            if (c < 0x80) {
                return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            }
            if (Character.isLetterOrDigit(c)) {
                return true;
            }
            int type = Character.getType(c);
            return type == Character.NON_SPACING_MARK
                    || type == Character.COMBINING_SPACING_MARK
                    || type == Character.ENCLOSING_MARK;
        }

        /**
         * address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
         * General-address-literal ) "]"; the tag "IPv6" in any case, as ABNF strings are.
         */
        private void addressLiteral() throws SmtpSyntaxException {
            int start = ++pos;
            while (pos < s.length() && isDcontent(s.charAt(pos))) {
                pos++;
            }
            String content = s.substring(start, pos);
            expect(']');
            int colon = content.indexOf(':');
            boolean valid;
            if (colon < 0) {
                valid = isIpv4(content);
            } else if (content.regionMatches(true, 0, "IPv6:", 0, 5)) {
                valid = isIpv6(content.substring(5));
            } else {
                valid = isStandardizedTag(content.substring(0, colon)) && colon < content.length() - 1;
            }
            if (!valid) {
                throw bad();
            }
        }

        private static boolean isDcontent(char c) {
            return c >= 33 && c <= 90 || c >= 94 && c <= 126;
        }

        /** Standardized-tag = Ldh-str: letters, digits, hyphens, ending with a letter or digit. */
        private static boolean isStandardizedTag(String tag) {
            if (tag.isEmpty() || tag.charAt(tag.length() - 1) == '-') {
                return false;
            }
            for (int i = 0; i < tag.length(); i++) {
                char c = tag.charAt(i);
                if (!(c < 0x80 && isLetDig(c)) && c != '-') {
                    return false;
                }
            }
            return true;
        }

        private int peek() {
            return pos < s.length() ? s.charAt(pos) : -1;
        }

        private boolean accept(char c) {
            if (peek() == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) throws SmtpSyntaxException {
            if (!accept(c)) {
                throw bad();
            }
        }

        private SmtpSyntaxException bad() {
            return reverse
                    ? new SmtpSyntaxException(501, "5.1.7", "Bad sender address syntax")
                    : new SmtpSyntaxException(501, "5.1.3", "Bad recipient address syntax");
        }
    }
}
