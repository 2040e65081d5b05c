package org.mailroom.pop3.internal;

/** The POP3 replies that more than one place sends, each written once. */
final class Pop3Replies {

    static final String AUTH_FAILED = "-ERR [AUTH] Authentication failed";
    static final String AUTH_UNAVAILABLE = "-ERR [SYS/TEMP] Authentication is temporarily unavailable, try again later";
    static final String PLAINTEXT_DISALLOWED =
            "-ERR [AUTH] Plaintext authentication is disallowed on non-secure connections, use STLS";
    static final String UNSUPPORTED_MECHANISM = "-ERR Unsupported authentication mechanism";
    static final String MAILBOX_UNAVAILABLE = "-ERR [SYS/TEMP] Mailbox temporarily unavailable, try again later";
    static final String UNKNOWN_COMMAND = "-ERR Unknown command";
    static final String INVALID_LINES = "-ERR Invalid number of lines";
    static final String SIGNING_OFF = "+OK Mailroom POP3 server signing off";
    static final String SHUTTING_DOWN = "-ERR [SYS/TEMP] Server shutting down, try again later";

    private Pop3Replies() {}

    /** The refusal of a connection before any session starts, e.g. over a connection limit. */
    static String refusal(String reason) {
        return "-ERR [SYS/TEMP] " + reason + ", try again later";
    }
}
