package org.mailroom.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it, instead of sleeping and hoping. */
public final class Poll {

    private static final long INTERVAL_MILLIS = 20;

    private Poll() {}

    /** True as soon as the condition holds, false once {@code timeout} has passed without it. */
    public static boolean waitFor(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
        return true;
    }

    /** @throws AssertionError naming {@code what} if the condition does not hold within {@code timeout} */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        if (!waitFor(timeout, condition)) {
            throw new AssertionError(what + ": not within " + timeout.toMillis() + " ms");
        }
    }
}
