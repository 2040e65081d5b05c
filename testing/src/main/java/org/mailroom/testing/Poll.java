package org.mailroom.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it, instead of sleeping and hoping. */
public final class Poll {

    private static final long INTERVAL_MILLIS = 20;

    private Poll() {
    }

    /** @throws AssertionError naming {@code what} if the condition does not hold within {@code timeout} */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + timeout.toMillis() + " ms");
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
    }
}
