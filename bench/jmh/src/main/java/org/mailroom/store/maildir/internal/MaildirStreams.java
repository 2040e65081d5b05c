package org.mailroom.store.maildir.internal;

import java.io.InputStream;

/**
 * Opens the package-private stream of the Maildir store to benchmarks in other packages (the
 * POP3 RETR path reads a Maildir file through it).
 */
public final class MaildirStreams {

    private MaildirStreams() {}

    /** What {@code MaildirStore.open} wraps a message file in: LF line ends become CRLF. */
    public static InputStream wireForm(InputStream maildirFile) {
        return new CrlfInputStream(maildirFile);
    }
}
