package org.mailroom.login.internal;

import java.util.concurrent.TimeUnit;

/** Validated login settings, in nanoseconds where they are times. */
record LoginSettings(
        long failedLoginDelayNanos,
        long maxPenaltyNanos,
        long penaltyWindowNanos,
        long penalizedIntervalNanos,
        int maxConcurrentPerAddress,
        long trustNanos,
        int verifyThreads,
        int verifyQueueLength,
        long serviceWaitNanos) {

    static final LoginSettings DEFAULTS = from(defaults());

    /** @throws IllegalArgumentException naming the key of a bad value */
    static LoginSettings from(LoginConfig c) {
        nonNegative("failedLoginDelayMillis", c.failedLoginDelayMillis());
        if (c.maxPenaltyMillis() < c.failedLoginDelayMillis()) {
            throw new IllegalArgumentException("maxPenaltyMillis must be at least failedLoginDelayMillis ("
                    + c.failedLoginDelayMillis() + "), not " + c.maxPenaltyMillis());
        }
        positive("penaltyWindowSeconds", c.penaltyWindowSeconds());
        nonNegative("penalizedIntervalMillis", c.penalizedIntervalMillis());
        positive("maxConcurrentPerAddress", c.maxConcurrentPerAddress());
        nonNegative("trustedLoginHours", c.trustedLoginHours());
        nonNegative("verifyThreads", c.verifyThreads());
        positive("verifyQueueLength", c.verifyQueueLength());
        nonNegative("serviceWaitMillis", c.serviceWaitMillis());
        int threads = c.verifyThreads() == 0 ? Runtime.getRuntime().availableProcessors() : c.verifyThreads();
        return new LoginSettings(
                millis(c.failedLoginDelayMillis()),
                millis(c.maxPenaltyMillis()),
                TimeUnit.SECONDS.toNanos(c.penaltyWindowSeconds()),
                millis(c.penalizedIntervalMillis()),
                c.maxConcurrentPerAddress(),
                TimeUnit.HOURS.toNanos(c.trustedLoginHours()),
                threads,
                c.verifyQueueLength(),
                millis(c.serviceWaitMillis()));
    }

    private static long millis(int value) {
        return TimeUnit.MILLISECONDS.toNanos(value);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, not " + value);
        }
    }

    private static void nonNegative(String key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(key + " must not be negative, not " + value);
        }
    }

    private static LoginConfig defaults() {
        return (LoginConfig) java.lang.reflect.Proxy.newProxyInstance(
                LoginConfig.class.getClassLoader(),
                new Class<?>[] {LoginConfig.class},
                (proxy, method, args) -> method.getDefaultValue());
    }
}
