package org.mailroom.auth.password.internal;

import java.util.List;
import java.util.Map;

/**
 * A parsed passwd-file: every raw line (for rewriting with comments intact) and the users.
 *
 * @param lines the lines as read, without line terminators
 * @param users by name, in file order
 */
public record PasswdFile(List<String> lines, Map<String, PasswdEntry> users) {

    public static final PasswdFile EMPTY = new PasswdFile(List.of(), Map.of());

    public PasswdFile {
        lines = List.copyOf(lines);
        users = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(users));
    }
}
