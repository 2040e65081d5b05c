package org.mailroom.smtp.internal;

import static org.junit.Assert.assertThrows;

import org.junit.function.ThrowingRunnable;

/** Test helper: the reply of the syntax error a piece of code throws. */
final class Syntax {

    private Syntax() {}

    /** Runs {@code code}, which must throw a {@link SmtpSyntaxException}, and returns its reply line. */
    static String error(ThrowingRunnable code) {
        SmtpSyntaxException e = assertThrows(SmtpSyntaxException.class, code);
        return e.reply().toString();
    }
}
