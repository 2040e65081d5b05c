package org.mailroom.addresses.internal;

import java.nio.file.Path;
import java.util.List;

/** An aliases file with bad lines; the message has one {@code <file>:<line>: <reason>} per line. */
final class AliasesFileException extends Exception {

    private static final long serialVersionUID = 1L;

    record Problem(int line, String reason) {}

    private final transient List<String> lines;

    AliasesFileException(Path file, List<Problem> problems) {
        this(problems.stream()
                .map(p -> file + ":" + p.line() + ": " + p.reason())
                .toList());
    }

    private AliasesFileException(List<String> lines) {
        super(String.join("\n", lines));
        this.lines = lines;
    }

    /** One {@code <file>:<line>: <reason>} per bad line, by line number. */
    List<String> lines() {
        return lines;
    }
}
