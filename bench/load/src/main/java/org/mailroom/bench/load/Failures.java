package org.mailroom.bench.load;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** Counts verification failures and errors; prints the first ones in full. */
final class Failures {
    private static final int PRINTED = 20;

    private final AtomicLong count = new AtomicLong();
    private final PrintStream out;

    Failures(PrintStream out) {
        this.out = out;
    }

    void add(String what) {
        long n = count.incrementAndGet();
        if (n <= PRINTED) {
            synchronized (out) {
                out.println("FAIL: " + what);
            }
        } else if (n == PRINTED + 1) {
            synchronized (out) {
                out.println("FAIL: (further failures are counted, not printed)");
            }
        }
    }

    long count() {
        return count.get();
    }
}
