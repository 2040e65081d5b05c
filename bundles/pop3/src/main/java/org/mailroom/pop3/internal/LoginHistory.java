package org.mailroom.pop3.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** When each user last logged in, for LOGIN-DELAY (RFC 2449). */
final class LoginHistory {

    private final ConcurrentMap<String, Long> lastLogin = new ConcurrentHashMap<>();

    /**
     * Records a login at {@code nowMillis} unless the previous one is less than {@code delaySeconds} ago.
     *
     * @return true if the login may proceed
     */
    boolean tryLogin(String user, int delaySeconds, long nowMillis) {
        if (delaySeconds <= 0) {
            return true;
        }
        long minGap = delaySeconds * 1000L;
        boolean[] allowed = {false};
        lastLogin.compute(user, (u, previous) -> {
            if (previous == null || nowMillis - previous >= minGap) {
                allowed[0] = true;
                return nowMillis;
            }
            return previous;
        });
        if (lastLogin.size() > 100_000) {
            lastLogin.values().removeIf(t -> nowMillis - t >= minGap);
        }
        return allowed[0];
    }
}
