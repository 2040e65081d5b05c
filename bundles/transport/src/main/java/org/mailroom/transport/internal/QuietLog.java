package org.mailroom.transport.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Log lines for expected network events (failed handshakes, resets, refusals, timeouts): one INFO
 * line each, at most {@link #PER_MINUTE} a minute per kind of event, so that a flood of them
 * cannot fill the disk; the next line that gets through says how many were left out.
 */
final class QuietLog {

    static final int PER_MINUTE = 20;
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final Logger log;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long start;
        int logged;
        int suppressed;
    }

    QuietLog(Logger log) {
        this(log, System::nanoTime);
    }

    QuietLog(Logger log, LongSupplier nanoClock) {
        this.log = log;
        this.nanoClock = nanoClock;
    }

    /** Logs {@code format} at INFO unless this kind of event already used up its lines this minute. */
    void info(String kind, String format, Object... args) {
        Window w = windows.computeIfAbsent(kind, k -> new Window());
        int suppressed;
        synchronized (w) {
            long now = nanoClock.getAsLong();
            if (w.logged == 0 || now - w.start >= MINUTE) {
                w.start = now;
                w.logged = 0;
            }
            if (w.logged >= PER_MINUTE) {
                w.suppressed++;
                return;
            }
            w.logged++;
            suppressed = w.suppressed;
            w.suppressed = 0;
        }
        if (suppressed > 0) {
            log.info(format + " ({} similar lines left out)", append(args, suppressed));
        } else {
            log.info(format, args);
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }
}
