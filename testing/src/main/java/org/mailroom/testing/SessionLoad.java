package org.mailroom.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load of a hot-swap test: client threads, each running complete sessions in a loop until
 * stopped, recording when every completed session started and ended, and every failure.
 */
public final class SessionLoad implements AutoCloseable {

    /** One complete session of a client, in its {@code round}-th turn; throws on anything wrong. */
    @FunctionalInterface
    public interface Session {
        void run(int client, int round) throws Exception;
    }

    private final String name;
    private final Session session;
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<long[]> completed = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger[] perClient;
    private volatile boolean running = true;

    private SessionLoad(String name, int clients, Session session) {
        this.name = name;
        this.session = session;
        this.perClient = new AtomicInteger[clients];
        for (int i = 0; i < clients; i++) {
            perClient[i] = new AtomicInteger();
        }
    }

    /** Starts {@code clients} daemon threads named {@code name-<client>}. */
    public static SessionLoad start(String name, int clients, Session session) {
        SessionLoad load = new SessionLoad(name, clients, session);
        for (int i = 0; i < clients; i++) {
            int client = i;
            Thread t = new Thread(() -> load.loop(client), name + "-" + client);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    private void loop(int client) {
        int round = 0;
        while (running) {
            long started = System.nanoTime();
            try {
                session.run(client, round++);
                completed.add(new long[] {started, System.nanoTime()});
                perClient[client].incrementAndGet();
            } catch (Exception | AssertionError e) {
                failures.add(name + "-" + client + " round " + round + ": " + e);
            }
        }
    }

    /** How many clients have completed at least one session. */
    public int clientsWithSessions() {
        int n = 0;
        for (AtomicInteger c : perClient) {
            n += c.get() > 0 ? 1 : 0;
        }
        return n;
    }

    public long completed() {
        return completed.size();
    }

    /** Completed sessions that started at or after this {@link System#nanoTime()}. */
    public long completedStartedAfter(long nanos) {
        return completed.stream().filter(s -> s[0] - nanos >= 0).count();
    }

    /** Completed sessions that were open at some moment between these two nano times. */
    public long overlapping(long from, long to) {
        return completed.stream()
                .filter(s -> s[0] - to <= 0 && s[1] - from >= 0)
                .count();
    }

    public boolean failed() {
        return !failures.isEmpty();
    }

    /** Waits this long, or less if a session fails. */
    public void runAtLeast(Duration duration) throws InterruptedException {
        long until = System.nanoTime() + duration.toNanos();
        Poll.waitFor(duration.plusSeconds(1), () -> System.nanoTime() - until >= 0 || failed());
    }

    /** Waits until every client has completed this many sessions after now (or one fails). */
    public void awaitSessionsByEveryClient(int sessions, Duration timeout) throws InterruptedException {
        int[] base = new int[perClient.length];
        for (int i = 0; i < base.length; i++) {
            base[i] = perClient[i].get();
        }
        Poll.until("every " + name + " client completed " + sessions + " more session(s)", timeout, () -> {
            for (int i = 0; i < base.length; i++) {
                if (perClient[i].get() - base[i] < sessions && !failed()) {
                    return false;
                }
            }
            return true;
        });
    }

    /** @throws AssertionError naming the first failures, if any session failed */
    public void assertNoFailures(String when) {
        if (!failures.isEmpty()) {
            List<String> first = new ArrayList<>(failures);
            throw new AssertionError(first.size() + " failed session(s) " + when + " (of " + completed()
                    + " completed); first: " + first.subList(0, Math.min(5, first.size())));
        }
    }

    /**
     * Stops the clients after their current session.
     *
     * @throws AssertionError if a client does not end within the timeout
     */
    public void stop(Duration timeout) throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(timeout.toMillis());
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not end within " + timeout.toSeconds() + " s");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(60_000);
        }
    }
}
