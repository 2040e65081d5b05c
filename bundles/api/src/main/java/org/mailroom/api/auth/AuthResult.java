package org.mailroom.api.auth;

import java.util.Objects;

/**
 * The outcome of one authentication attempt.
 *
 * @param status what happened
 * @param user the canonical name of the authenticated user (mailbox owner), or the claimed name
 *     when the attempt did not succeed
 * @param reason a short text for logs; never shown to the client
 */
public record AuthResult(Status status, String user, String reason) {

    public enum Status {
        /** The credentials are valid for {@link AuthResult#user()}. */
        SUCCESS,
        /** Unknown user, wrong secret, disabled account: the client may try again after a delay. */
        INVALID,
        /** The authenticator could not decide (backend down, file unreadable): a temporary failure. */
        UNAVAILABLE
    }

    public AuthResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(user, "user");
        reason = reason == null ? "" : reason;
    }

    public static AuthResult success(String user) {
        return new AuthResult(Status.SUCCESS, user, "");
    }

    public static AuthResult invalid(String user, String reason) {
        return new AuthResult(Status.INVALID, user, reason);
    }

    public static AuthResult unavailable(String user, String reason) {
        return new AuthResult(Status.UNAVAILABLE, user, reason);
    }

    public boolean succeeded() {
        return status == Status.SUCCESS;
    }
}
