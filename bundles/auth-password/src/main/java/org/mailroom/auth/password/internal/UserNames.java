package org.mailroom.auth.password.internal;

/** Which user names the directory accepts: they end up in a colon-separated file and in paths. */
public final class UserNames {

    private UserNames() {
    }

    /** @return why the name is not acceptable, or null if it is */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty user name";
        }
        if (name.startsWith(".")) {
            return "user name starts with '.'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':' || c == '/') {
                return "user name contains '" + c + "'";
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "user name contains whitespace";
            }
            if (Character.isISOControl(c)) {
                return "user name contains a control character";
            }
        }
        return null;
    }

    public static void check(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
