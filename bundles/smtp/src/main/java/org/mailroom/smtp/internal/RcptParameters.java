package org.mailroom.smtp.internal;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The ESMTP parameters of RCPT TO: NOTIFY and ORCPT (RFC 3461 DSN, with RFC 6533's "utf-8"
 * address type). Syntax only, as {@link MailParameters}.
 *
 * @param notifyOn the NOTIFY values, empty if not given; {@link Notify#NEVER} only alone (named
 *     so because {@code Object.notify()} is final)
 * @param orcpt the original recipient, null if not given
 */
record RcptParameters(Set<Notify> notifyOn, Orcpt orcpt) {

    /** The parameters of a RCPT TO without any. */
    static final RcptParameters NONE = new RcptParameters(Set.of(), null);

    /** RFC 3461 section 4.2: the ORCPT value, encoded, is at most 500 characters. */
    static final int MAX_ORCPT = 500;

    private static final String COMMAND = "RCPT TO";

    enum Notify {
        NEVER,
        SUCCESS,
        FAILURE,
        DELAY
    }

    /**
     * ORCPT=addr-type;address.
     *
     * @param type the address type as given ({@code rfc822}, {@code utf-8}); compare it
     *     case-insensitively
     * @param address the address, decoded: xtext, or for "utf-8" RFC 6533's utf-8-addr-xtext
     *     and utf-8-addr-unitext
     */
    record Orcpt(String type, String address) {

        /** True for the "utf-8" address type of RFC 6533. */
        boolean isUtf8() {
            return type.equalsIgnoreCase("utf-8");
        }
    }

    RcptParameters {
        notifyOn = notifyOn.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(notifyOn));
    }

    /**
     * Parses the parameters of a RCPT argument (as {@link Command} gives it): the path at its
     * start is skipped, its syntax checked as {@link Path#parseForward} does. Errors as in
     * {@link MailParameters#parse}.
     */
    static RcptParameters parse(String argument) throws SmtpSyntaxException {
        int end = Path.end(argument, false);
        Set<Notify> notify = Set.of();
        Orcpt orcpt = null;
        for (EsmtpParameter p : EsmtpParameter.split(argument.substring(end), COMMAND)) {
            switch (p.keyword()) {
                case "NOTIFY" -> notify = notify(p.required());
                case "ORCPT" -> orcpt = orcpt(p.required());
                default -> throw EsmtpParameter.unsupported(p.keyword(), COMMAND);
            }
        }
        return new RcptParameters(notify, orcpt);
    }

    /** True if no parameter was given. */
    boolean isEmpty() {
        return notifyOn.isEmpty() && orcpt == null;
    }

    /**
     * NOTIFY="NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ), case-insensitive. A value repeated
     * in the list counts once (as Postfix takes it); NEVER with another value is an error.
     */
    private static Set<Notify> notify(String value) throws SmtpSyntaxException {
        EnumSet<Notify> set = EnumSet.noneOf(Notify.class);
        for (String item : value.split(",", -1)) {
            Notify n = null;
            for (Notify candidate : Notify.values()) {
                if (candidate.name().equalsIgnoreCase(item)) {
                    n = candidate;
                }
            }
            if (n == null) {
                throw EsmtpParameter.badValue("NOTIFY", "NEVER, or a list of SUCCESS, FAILURE and DELAY");
            }
            set.add(n);
        }
        if (set.contains(Notify.NEVER) && set.size() > 1) {
            throw EsmtpParameter.badValue("NOTIFY", "NEVER only alone");
        }
        return set;
    }

    /**
     * ORCPT=addr-type ";" xtext (RFC 3461 section 4.2), addr-type an atom; the address of a type
     * other than "utf-8" must decode to printable US-ASCII.
     */
    private static Orcpt orcpt(String value) throws SmtpSyntaxException {
        int semicolon = value.indexOf(';');
        if (value.length() > MAX_ORCPT || semicolon <= 0 || semicolon == value.length() - 1) {
            throw badOrcpt();
        }
        String type = value.substring(0, semicolon);
        for (int i = 0; i < type.length(); i++) {
            if (type.charAt(i) >= 0x80 || !Path.isAtext(type.charAt(i))) {
                throw badOrcpt();
            }
        }
        String encoded = value.substring(semicolon + 1);
        Orcpt orcpt;
        if (type.equalsIgnoreCase("utf-8")) {
            orcpt = new Orcpt(type, Xtext.decodeUtf8Address(encoded));
        } else {
            String address = Xtext.decode(encoded);
            orcpt = new Orcpt(type, address != null && Xtext.isPrintableAscii(address) ? address : null);
        }
        if (orcpt.address() == null || orcpt.address().isEmpty()) {
            throw badOrcpt();
        }
        return orcpt;
    }

    private static SmtpSyntaxException badOrcpt() {
        return EsmtpParameter.badValue("ORCPT", "addr-type;xtext of at most " + MAX_ORCPT + " characters");
    }
}
