package org.mailroom.auth.password.internal;

import java.nio.file.Path;

/** A passwd-file that cannot be used; the message names the file, the line and the reason. */
public final class PasswdFileException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String reason;

    public PasswdFileException(Path file, int line, String reason) {
        super(file + (line > 0 ? ":" + line : "") + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    /** 1-based; 0 when the problem is not tied to a line. */
    public int line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
