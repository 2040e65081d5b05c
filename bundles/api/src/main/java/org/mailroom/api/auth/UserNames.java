package org.mailroom.api.auth;

import java.nio.charset.StandardCharsets;

/**
 * The one rule for user names, shared by user directories (a name ends up in a colon-separated
 * file) and mail stores (it names a mailbox folder): a user that can be added can log in and has
 * a mailbox.
 *
 * @since 1.2
 */
public final class UserNames {

    /** Longest name in UTF-8 octets (a file name on common file systems). */
    public static final int MAX_OCTETS = 255;

    private UserNames() {}

    /** @return why the name is not acceptable, or null if it is */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty user name";
        }
        if (name.startsWith(".")) {
            return "user name starts with '.'";
        }
        if (name.contains("..")) {
            return "user name contains '..'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':' || c == '/' || c == '\\') {
                return "user name contains '" + c + "'";
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "user name contains whitespace";
            }
            if (Character.isISOControl(c)) {
                return "user name contains a control character";
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_OCTETS) {
            return "user name longer than " + MAX_OCTETS + " octets";
        }
        return null;
    }

    /** @throws IllegalArgumentException saying why the name is not acceptable */
    public static void check(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
