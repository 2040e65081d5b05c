package org.mailroom.bench.load;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The 30 s read timeout of plain connections, without socket timeouts: a JDK socket with
 * SO_TIMEOUT reads non-blocking and polls (two or three system calls per read), a socket without
 * one blocks in a single read. Reads in progress are registered here; a daemon thread looks once
 * a second and closes the socket under any read that has waited longer than the timeout.
 */
final class Watchdog {
    /** Reads that are waiting now. */
    private static final Set<LineIn> READING = ConcurrentHashMap.newKeySet();

    private static final Thread THREAD = start();

    private Watchdog() {}

    private static Thread start() {
        Thread t = new Thread(
                () -> {
                    long limit = Net.TIMEOUT_MS * 1_000_000L;
                    while (true) {
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                        long now = System.nanoTime();
                        for (LineIn l : READING) {
                            l.abortIfWaitingLongerThan(now, limit);
                        }
                    }
                },
                "read-timeout-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static void reading(LineIn l) {
        READING.add(l);
    }

    static void done(LineIn l) {
        READING.remove(l);
    }

    static boolean running() {
        return THREAD.isAlive();
    }
}
