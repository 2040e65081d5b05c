package org.mailroom.login.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

public class PenaltiesTest {

    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long S = TimeUnit.SECONDS.toNanos(1);
    /** base 2 s, max 15 s, window 900 s, interval 1 s, 4 at once, trust 24 h. */
    static final LoginSettings SETTINGS = LoginSettings.DEFAULTS;

    private final Penalties penalties = new Penalties(SETTINGS);
    private final InetAddress attacker = address("192.0.2.1");
    private final InetAddress office = address("198.51.100.7");
    private long now = 1_000 * S;

    @Test
    public void aFirstFailureIsAnsweredAfterTheBaseDelayAndASuccessAtOnce() {
        Penalties.Ticket t = penalties.admit(office, "joe", now);
        assertEquals(now, t.successAnswerAt);
        assertEquals(now + 2 * S, t.failureAnswerAt);
    }

    @Test
    public void theDelayDoublesWithRecentFailuresUpToTheCapForSuccessesToo() {
        long[] expected = {2, 2, 4, 8, 15, 15};
        for (int i = 0; i < expected.length; i++) {
            Penalties.Ticket t = penalties.admit(attacker, "victim" + i, now);
            assertEquals("failure answer after " + i + " failures", now + expected[i] * S, t.failureAnswerAt);
            if (i > 0) {
                assertEquals("a success is not answered sooner than a failure", t.failureAnswerAt, t.successAnswerAt);
            }
            assertEquals(0, penalties.start(t, now));
            penalties.failed(t, now);
            now += 2 * S;
        }
    }

    @Test
    public void aPenalizedAddressVerifiesOneAtATimeOncePerInterval() {
        fail(attacker, "a");
        long verified = 0;
        long end = now + 60 * S;
        java.util.List<Penalties.Ticket> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiting.add(penalties.admit(attacker, "user" + i, now));
        }
        // 50 connections keep asking every 10 ms for a minute; each verification takes 200 ms.
        Penalties.Ticket running = null;
        long runningUntil = 0;
        while (now < end) {
            if (running != null && now >= runningUntil) {
                penalties.failed(running, now);
                running = null;
            }
            for (java.util.Iterator<Penalties.Ticket> it = waiting.iterator(); it.hasNext(); ) {
                Penalties.Ticket t = it.next();
                if (penalties.start(t, now) == 0) {
                    assertEquals("two verifications at once", null, running);
                    running = t;
                    runningUntil = now + 200 * MS;
                    verified++;
                    it.remove();
                    waiting.add(penalties.admit(attacker, "user" + verified, now));
                    break;
                }
            }
            now += 10 * MS;
        }
        assertTrue("verified " + verified + " guesses in 60 s", verified <= 61 && verified >= 50);
    }

    @Test
    public void aFreshAddressRunsAFewVerificationsAtOnce() {
        Penalties.Ticket[] t = new Penalties.Ticket[6];
        for (int i = 0; i < t.length; i++) {
            t[i] = penalties.admit(office, "user" + i, now);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(0, penalties.start(t[i], now));
        }
        assertTrue(penalties.start(t[4], now) > 0);
        penalties.succeeded(t[0], now);
        assertEquals(0, penalties.start(t[4], now));
    }

    @Test
    public void aUserWhoLoggedInFromAnAddressBeforeIsNotSlowedByOthersFailuresThere() {
        Penalties.Ticket first = penalties.admit(office, "ann", now);
        penalties.start(first, now);
        penalties.succeeded(first, now);
        fail(office, "bob");
        fail(office, "bob");
        Penalties.Ticket ann = penalties.admit(office, "ann", now);
        assertEquals(now, ann.successAnswerAt);
        assertEquals(0, penalties.start(ann, now));
        Penalties.Ticket carl = penalties.admit(office, "carl", now);
        assertEquals(now + 4 * S, carl.successAnswerAt);
        // A failure ends the trust: the next attempt for ann pays the address's penalty.
        penalties.failed(ann, now);
        Penalties.Ticket again = penalties.admit(office, "ann", now);
        assertTrue(again.successAnswerAt > now);
    }

    @Test
    public void failuresOfAUserFromAnyAddressSlowAttemptsOnThatUser() {
        for (int i = 0; i < 3; i++) {
            fail(address("203.0.113." + (i + 1)), "boss");
        }
        Penalties.Ticket fresh = penalties.admit(address("203.0.113.99"), "boss", now);
        assertEquals(now + 8 * S, fresh.failureAnswerAt);
        Penalties.Ticket other = penalties.admit(address("203.0.113.99"), "someone", now);
        assertEquals(now + 2 * S, other.failureAnswerAt);
    }

    @Test
    public void failuresAreForgivenAfterTheWindowAndForgottenState() {
        fail(attacker, "a");
        assertEquals(1, penalties.failures(attacker, now));
        now += 901 * S;
        assertEquals(0, penalties.failures(attacker, now));
        Penalties.Ticket t = penalties.admit(attacker, "a", now);
        assertEquals(now, t.successAnswerAt);
        penalties.released(t, now);
        penalties.forgetOld(now + 2 * S);
        assertEquals(0, penalties.size());
    }

    @Test
    public void aReleasedAttemptCountsNothing() {
        Penalties.Ticket t = penalties.admit(attacker, "a", now);
        penalties.start(t, now);
        penalties.released(t, now);
        assertEquals(0, penalties.failures(attacker, now));
        assertEquals(0, penalties.start(penalties.admit(attacker, "a", now), now));
    }

    private void fail(InetAddress address, String user) {
        Penalties.Ticket t = penalties.admit(address, user, now);
        long wait;
        while ((wait = penalties.start(t, now)) > 0) {
            now += wait;
        }
        penalties.failed(t, now);
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
