package org.mailroom.smtp.internal;

/** What a listener's SMTP speaks: mail to local users (MX), submission by logged-in users, or LMTP. */
enum Mode {
    /** RFC 5321 on the MX port: mail for local recipients, no AUTH needed or offered. */
    SMTP("smtp"),
    /** RFC 6409 on the submission ports (STARTTLS and implicit TLS): AUTH before MAIL. */
    SUBMISSION("submission"),
    /** RFC 2033: LHLO instead of EHLO, one reply per recipient after the data. */
    LMTP("lmtp");

    /** The protocol name listener configurations refer to. */
    final String protocol;

    Mode(String protocol) {
        this.protocol = protocol;
    }
}
