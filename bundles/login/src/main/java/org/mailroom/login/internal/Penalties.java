package org.mailroom.login.internal;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failure penalties, in the manner of Dovecot's auth penalty but across connections: failures
 * are counted per client address and per user over a window, and
 * <ul>
 * <li>the answer to an attempt is held back by a delay that doubles with the recent failures
 * (a failure is never answered sooner than the base delay, whatever the verification took);</li>
 * <li>once an address (or a user) has failed recently, its verifications run one at a time, at
 * most one per {@code interval}, however many connections it opens; before that, at most
 * {@code maxInFlight} run at once;</li>
 * <li>a user who logged in from an address before, and has not failed from it since, passes
 * without the penalty of others' failures there (an office behind one NAT address is not
 * slowed down by one colleague's typo); a failure ends that trust.</li>
 * </ul>
 * All times are {@link System#nanoTime()} values passed in by the caller, so tests can drive
 * the clock.
 */
final class Penalties {

    /** How often a waiting attempt looks again when it waits for an attempt in flight. */
    static final long POLL_NANOS = 20_000_000L;

    private static final int MAX_TRUSTED = 100_000;

    private LoginSettings settings;
    private final Map<Object, Gate> gates = new HashMap<>();
    private final LinkedHashMap<String, Long> trusted = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_TRUSTED;
        }
    };

    private static final class Gate {
        int failures;
        long lastFailure;
        long nextSlot;
        int inFlight;
    }

    /** One login attempt between {@link #admit} and {@link #succeeded}, {@link #failed} or {@link #released}. */
    static final class Ticket {
        final InetAddress address;
        final String user;
        final boolean trustedPair;
        final int recentFailures;
        final long successAnswerAt;
        final long failureAnswerAt;
        private boolean started;
        private boolean finished;

        private Ticket(
                InetAddress address,
                String user,
                boolean trustedPair,
                int recentFailures,
                long successAnswerAt,
                long failureAnswerAt) {
            this.address = address;
            this.user = user;
            this.trustedPair = trustedPair;
            this.recentFailures = recentFailures;
            this.successAnswerAt = successAnswerAt;
            this.failureAnswerAt = failureAnswerAt;
        }
    }

    Penalties(LoginSettings settings) {
        this.settings = settings;
    }

    /** Applies new settings to later attempts; the recorded failures and trust are kept. */
    synchronized Penalties withSettings(LoginSettings next) {
        settings = next;
        return this;
    }

    /** Registers an attempt at {@code now} and fixes when its answer may be given. */
    synchronized Ticket admit(InetAddress address, String user, long now) {
        boolean trustedPair = user != null && isTrusted(user, address, now);
        int failures = 0;
        if (!trustedPair) {
            failures = recentFailures(address, now);
            if (user != null) {
                failures = Math.max(failures, recentFailures(userKey(user), now));
            }
        }
        long delay = delay(failures);
        return new Ticket(
                address,
                user,
                trustedPair,
                failures,
                now + delay,
                now + Math.max(settings.failedLoginDelayNanos(), delay));
    }

    /**
     * Starts the verification of {@code ticket} if its gates allow it now.
     *
     * @return 0 if it may start (and is now in flight), otherwise how long to wait before asking again
     */
    synchronized long start(Ticket ticket, long now) {
        if (ticket.started || ticket.finished) {
            throw new IllegalStateException("ticket already started or finished");
        }
        if (ticket.trustedPair) {
            ticket.started = true;
            return 0;
        }
        Gate address = gate(ticket.address, now);
        Gate user = ticket.user == null ? null : gate(userKey(ticket.user), now);
        long wait = Math.max(waitFor(address, now), user == null ? 0 : waitFor(user, now));
        if (wait > 0) {
            return wait;
        }
        take(address, now);
        if (user != null) {
            take(user, now);
        }
        ticket.started = true;
        return 0;
    }

    /** The credentials were right: the user's failures are forgiven and the address is trusted for them. */
    synchronized void succeeded(Ticket ticket, long now) {
        finish(ticket, now);
        if (ticket.user != null) {
            Gate user = gates.get(userKey(ticket.user));
            if (user != null) {
                user.failures = 0;
            }
            trusted.put(pairKey(ticket.user, ticket.address), now);
        }
    }

    /** The credentials were wrong (or the protocol rejected the attempt): counted for address and user. */
    synchronized void failed(Ticket ticket, long now) {
        finish(ticket, now);
        fail(gate(ticket.address, now), now);
        if (ticket.user != null) {
            fail(gate(userKey(ticket.user), now), now);
            trusted.remove(pairKey(ticket.user, ticket.address));
        }
    }

    /** The attempt ended without a verdict (client left, authenticator unavailable): nothing is counted. */
    synchronized void released(Ticket ticket, long now) {
        finish(ticket, now);
    }

    /** Recent failures of an address, for logs and tests. */
    synchronized int failures(InetAddress address, long now) {
        return recentFailures(address, now);
    }

    /** Forgets gates and trust that no longer matter; keeps the maps as small as recent activity. */
    synchronized void forgetOld(long now) {
        for (Iterator<Gate> it = gates.values().iterator(); it.hasNext(); ) {
            Gate g = it.next();
            expire(g, now);
            if (g.failures == 0 && g.inFlight == 0 && now - g.nextSlot >= 0) {
                it.remove();
            }
        }
        trusted.values().removeIf(at -> now - at > settings.trustNanos());
    }

    synchronized int size() {
        return gates.size() + trusted.size();
    }

    // ---- internals

    private long delay(int failures) {
        if (failures <= 0) {
            return 0;
        }
        long delay = settings.failedLoginDelayNanos() << Math.min(failures - 1, 20);
        return Math.min(delay < 0 ? Long.MAX_VALUE : delay, settings.maxPenaltyNanos());
    }

    private long waitFor(Gate g, long now) {
        if (g.failures > 0) {
            return g.inFlight > 0 ? POLL_NANOS : Math.max(0, g.nextSlot - now);
        }
        return g.inFlight >= settings.maxConcurrentPerAddress() ? POLL_NANOS : 0;
    }

    private void take(Gate g, long now) {
        g.inFlight++;
        if (g.failures > 0) {
            g.nextSlot = now + settings.penalizedIntervalNanos();
        }
    }

    private void fail(Gate g, long now) {
        g.failures++;
        g.lastFailure = now;
        g.nextSlot = Math.max(g.nextSlot, now + settings.penalizedIntervalNanos());
    }

    private void finish(Ticket ticket, long now) {
        if (ticket.finished) {
            return;
        }
        ticket.finished = true;
        if (!ticket.started || ticket.trustedPair) {
            return;
        }
        release(gates.get(ticket.address));
        if (ticket.user != null) {
            release(gates.get(userKey(ticket.user)));
        }
    }

    private static void release(Gate g) {
        if (g != null && g.inFlight > 0) {
            g.inFlight--;
        }
    }

    private int recentFailures(Object key, long now) {
        Gate g = gates.get(key);
        if (g == null) {
            return 0;
        }
        expire(g, now);
        return g.failures;
    }

    private Gate gate(Object key, long now) {
        Gate g = gates.computeIfAbsent(key, k -> new Gate());
        expire(g, now);
        return g;
    }

    private void expire(Gate g, long now) {
        if (g.failures > 0 && now - g.lastFailure > settings.penaltyWindowNanos()) {
            g.failures = 0;
        }
    }

    private boolean isTrusted(String user, InetAddress address, long now) {
        Long at = trusted.get(pairKey(user, address));
        return at != null && now - at <= settings.trustNanos();
    }

    private static String userKey(String user) {
        return "user:" + user;
    }

    private static String pairKey(String user, InetAddress address) {
        return user + "\0" + address.getHostAddress();
    }
}
