package org.mailroom.api.delivery;

import java.util.Objects;

/**
 * How one delivery ended.
 *
 * @param outcome what happened
 * @param reason a short text for the queue listing and the logs; empty when delivered
 */
public record Verdict(Outcome outcome, String reason) {

    public enum Outcome {
        /** In the mailbox (now, or by an earlier attempt with the same key). */
        DELIVERED,
        /** Not delivered for a reason that may pass (store down, disk full): try again later. */
        RETRY,
        /** Not delivered and never will be (no such mailbox, refused): do not try again. */
        FAILED,
        /**
         * Not attempted: a service it needs is missing for a moment (its bundle being updated).
         * Try again in a few seconds; it does not count as a failed attempt.
         */
        UNAVAILABLE
    }

    public Verdict {
        Objects.requireNonNull(outcome, "outcome");
        reason = reason == null ? "" : reason;
    }

    public static Verdict delivered() {
        return new Verdict(Outcome.DELIVERED, "");
    }

    public static Verdict retry(String reason) {
        return new Verdict(Outcome.RETRY, reason);
    }

    public static Verdict failed(String reason) {
        return new Verdict(Outcome.FAILED, reason);
    }

    public static Verdict unavailable(String reason) {
        return new Verdict(Outcome.UNAVAILABLE, reason);
    }
}
