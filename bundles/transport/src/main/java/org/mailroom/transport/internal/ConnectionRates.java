package org.mailroom.transport.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * New connections per client address, as a token bucket per address: up to {@code perMinute}
 * at once, refilled at {@code perMinute} a minute. Buckets that are full again are forgotten, so
 * the map holds only the addresses that connected recently.
 */
final class ConnectionRates {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        void refill(long now, int perMinute) {
            tokens = Math.min(perMinute, tokens + (double) (now - updated) * perMinute / MINUTE);
            updated = now;
        }
    }

    /** Takes a token for a new connection from {@code address}; false when its bucket is empty. */
    boolean tryAcquire(InetAddress address, long now, int perMinute) {
        boolean[] allowed = {false};
        buckets.compute(address, (a, bucket) -> {
            Bucket b = bucket == null ? new Bucket(perMinute, now) : bucket;
            b.refill(now, perMinute);
            if (b.tokens >= 1) {
                b.tokens -= 1;
                allowed[0] = true;
            }
            return b;
        });
        return allowed[0];
    }

    /** Drops the buckets that have filled up again. */
    void forgetIdle(long now, int perMinute) {
        for (InetAddress address : buckets.keySet()) {
            buckets.computeIfPresent(
                    address,
                    (a, b) -> b.tokens + (double) (now - b.updated) * perMinute / MINUTE >= perMinute ? null : b);
        }
    }

    int size() {
        return buckets.size();
    }
}
