package org.mailroom.api.address;

import java.util.List;
import java.util.Objects;

/**
 * Where mail for one envelope recipient goes.
 *
 * @param kind what the address is
 * @param users the local users whose mailboxes receive it, without duplicates (empty unless
 *     {@link Kind#LOCAL})
 * @param reason a short text for logs and replies when the address is not local ("no such user",
 *     "users file not loaded"); empty for local addresses
 */
public record Resolution(Kind kind, List<String> users, String reason) {

    public enum Kind {
        /** Delivered to {@link Resolution#users()}. */
        LOCAL,
        /** A local domain, but no such user or alias (SMTP {@code 550 5.1.1}). */
        UNKNOWN,
        /** Not a local domain (SMTP {@code 550 5.7.1} without relay permission). */
        FOREIGN,
        /** Cannot be decided now, e.g. while the user directory is being replaced (SMTP {@code 451}). */
        UNAVAILABLE
    }

    public Resolution {
        Objects.requireNonNull(kind, "kind");
        users = List.copyOf(users);
        reason = reason == null ? "" : reason;
        if ((kind == Kind.LOCAL) == users.isEmpty()) {
            throw new IllegalArgumentException(kind + " with users " + users);
        }
    }

    public static Resolution local(List<String> users) {
        return new Resolution(Kind.LOCAL, users, "");
    }

    public static Resolution unknown(String reason) {
        return new Resolution(Kind.UNKNOWN, List.of(), reason);
    }

    public static Resolution foreign(String reason) {
        return new Resolution(Kind.FOREIGN, List.of(), reason);
    }

    public static Resolution unavailable(String reason) {
        return new Resolution(Kind.UNAVAILABLE, List.of(), reason);
    }

    public boolean isLocal() {
        return kind == Kind.LOCAL;
    }
}
