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
        UNAVAILABLE,
        /**
         * Refused for good by a content filter: {@link Verdict#reason()} is the SMTP reply for the
         * sender ({@code 5xx x.y.z text}). Do not try again; the sender is told (reply or bounce).
         */
        REJECTED,
        /**
         * Not delivered now at a content filter's word (or because a required filter is missing):
         * {@link Verdict#reason()} is the SMTP reply ({@code 4xx x.y.z text}). Try again later.
         */
        DEFERRED,
        /** Held in the quarantine instead of the mailbox: nothing more to do for this delivery. */
        QUARANTINED
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

    /** Refused by a content filter; the reply line ({@code 5xx x.y.z text}) is the reason. */
    public static Verdict rejected(String reply) {
        return new Verdict(Outcome.REJECTED, reply);
    }

    /** Deferred by a content filter; the reply line ({@code 4xx x.y.z text}) is the reason. */
    public static Verdict deferred(String reply) {
        return new Verdict(Outcome.DEFERRED, reply);
    }

    /** Held in the quarantine; the reason says by which filter and why. */
    public static Verdict quarantined(String reason) {
        return new Verdict(Outcome.QUARANTINED, reason);
    }

    /** True for a content filter's refusal, {@link Outcome#REJECTED} or {@link Outcome#DEFERRED}. */
    public boolean refused() {
        return outcome == Outcome.REJECTED || outcome == Outcome.DEFERRED;
    }
}
