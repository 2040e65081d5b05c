package org.mailroom.auth.password.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.mailroom.auth.password.internal.scheme.Secrets;

/**
 * Recent verification results, so a user who logs in again and again costs one expensive hash
 * per TTL rather than one per login. An entry holds an HMAC-SHA256 of the password under a key
 * drawn at random for this cache (never the password, nor anything that outlives the process)
 * and the user's stored hash line as it was verified: when the users file changes that user's
 * entry (new password, removed, added), the cached result no longer matches and is ignored.
 * Successes and failures are kept in two bounded LRU maps with their own TTLs.
 */
final class AuthCache {

    private record Entry(String stored, byte[] mac, long expiresAtNanos) {}

    private final int size;
    private final long ttlNanos;
    private final long negativeTtlNanos;
    private final LongSupplier clock;
    private final SecretKeySpec key;
    private final Map<String, Entry> positive;
    private final Map<String, Entry> negative;

    /**
     * @param size users kept per map (successes, failures); 0 disables the cache
     * @param ttlNanos how long a success stays valid
     * @param negativeTtlNanos how long a failure stays valid
     * @param clock nanosecond clock ({@link System#nanoTime} outside tests)
     */
    AuthCache(int size, long ttlNanos, long negativeTtlNanos, LongSupplier clock) {
        this.size = size;
        this.ttlNanos = ttlNanos;
        this.negativeTtlNanos = negativeTtlNanos;
        this.clock = clock;
        this.key = new SecretKeySpec(Secrets.randomBytes(32), "HmacSHA256");
        this.positive = lru(size);
        this.negative = lru(size);
    }

    static AuthCache disabled() {
        return new AuthCache(0, 0, 0, System::nanoTime);
    }

    /** What the cache knows of this password for this stored hash line: TRUE, FALSE or null. */
    Boolean lookup(String user, String stored, String password) {
        if (size == 0) {
            return null;
        }
        byte[] mac = mac(user, password);
        long now = clock.getAsLong();
        if (matches(positive, user, stored, mac, now)) {
            return Boolean.TRUE;
        }
        if (matches(negative, user, stored, mac, now)) {
            return Boolean.FALSE;
        }
        return null;
    }

    /** Records a verification of the password against the stored hash line (null: no such user). */
    void record(String user, String stored, String password, boolean ok) {
        long ttl = ok ? ttlNanos : negativeTtlNanos;
        if (size == 0 || ttl <= 0) {
            return;
        }
        Entry e = new Entry(stored, mac(user, password), clock.getAsLong() + ttl);
        Map<String, Entry> target = ok ? positive : negative;
        Map<String, Entry> other = ok ? negative : positive;
        synchronized (this) {
            target.put(user, e);
            other.remove(user);
        }
    }

    private boolean matches(Map<String, Entry> map, String user, String stored, byte[] mac, long now) {
        Entry e;
        synchronized (this) {
            e = map.get(user);
            if (e == null) {
                return false;
            }
            if (now - e.expiresAtNanos() >= 0 || !Objects.equals(e.stored(), stored)) {
                map.remove(user);
                return false;
            }
        }
        return MessageDigest.isEqual(e.mac(), mac);
    }

    private byte[] mac(String user, String password) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(user.getBytes(StandardCharsets.UTF_8));
            m.update((byte) 0);
            return m.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static Map<String, Entry> lru(int size) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > size;
            }
        };
    }
}
