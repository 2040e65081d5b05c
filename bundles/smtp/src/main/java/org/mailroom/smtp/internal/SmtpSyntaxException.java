package org.mailroom.smtp.internal;

/**
 * A command, path or parameter the client got wrong, with the reply to send for it
 * ({@code 501 5.1.3 Bad recipient address syntax}). The message is that reply's wire form. No
 * stack trace is recorded: clients can cause these at the rate of their commands, and the reply
 * says all there is to say.
 */
final class SmtpSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Reply reply;

    SmtpSyntaxException(Reply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    SmtpSyntaxException(int code, String status, String text) {
        this(Reply.of(code, status, text));
    }

    /** The reply to send. */
    Reply reply() {
        return reply;
    }
}
