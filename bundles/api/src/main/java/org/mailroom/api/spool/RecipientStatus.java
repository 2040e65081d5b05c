package org.mailroom.api.spool;

import java.time.Instant;

/**
 * Where one recipient of a queued message stands.
 *
 * @param address the envelope recipient
 * @param user the local user
 * @param state delivered, waiting or failed for good
 * @param attempts failed delivery attempts so far
 * @param nextAttempt when the next attempt is due (null unless {@link State#WAITING})
 * @param lastError why the last attempt failed, empty if none did
 */
public record RecipientStatus(
        String address, String user, State state, int attempts, Instant nextAttempt, String lastError) {

    public enum State {
        /** Due now or at {@link RecipientStatus#nextAttempt()}. */
        WAITING,
        /** In the mailbox. */
        DELIVERED,
        /** Will not be tried again unless asked ({@link Spool#retry}). */
        FAILED
    }

    public RecipientStatus {
        lastError = lastError == null ? "" : lastError;
    }
}
