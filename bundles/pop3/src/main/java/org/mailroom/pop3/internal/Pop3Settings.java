package org.mailroom.pop3.internal;

import java.time.Duration;

/** Validated POP3 settings. */
record Pop3Settings(
        boolean allowPlaintextAuth,
        int loginDelaySeconds,
        Duration serviceWait,
        int maxBadCommands,
        int maxSaslLineLength) {

    static final Pop3Settings DEFAULTS = new Pop3Settings(false, 0, Duration.ofSeconds(3), 10, 65536);

    Pop3Settings {
        if (loginDelaySeconds < 0) {
            throw new IllegalArgumentException("loginDelaySeconds must not be negative");
        }
        if (serviceWait.isNegative()) {
            throw new IllegalArgumentException("serviceWaitMillis must not be negative");
        }
        if (maxBadCommands < 1) {
            throw new IllegalArgumentException("maxBadCommands must be at least 1");
        }
        if (maxSaslLineLength < 16384) {
            throw new IllegalArgumentException("maxSaslLineLength must be at least 16384");
        }
    }

    static Pop3Settings from(Pop3Config c) {
        return new Pop3Settings(
                c.allowPlaintextAuth(),
                c.loginDelaySeconds(),
                Duration.ofMillis(c.serviceWaitMillis()),
                c.maxBadCommands(),
                c.maxSaslLineLength());
    }
}
