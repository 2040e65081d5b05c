package org.mailroom.store.crypt.internal;

import java.util.Map;

/** The settings of etc/org.mailroom.store.crypt.cfg, checked; a bad value names its key. */
record CipherSettings(DataAlgorithm algorithm, long keyWaitMillis) {

    static CipherSettings from(Map<String, ?> p) {
        DataAlgorithm algorithm;
        try {
            algorithm = DataAlgorithm.byName(string(p, "algorithm", "AES-256-GCM"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key algorithm: " + e.getMessage());
        }
        String wait = string(p, "keyWaitMillis", "3000");
        long millis;
        try {
            millis = Long.parseLong(wait);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("key keyWaitMillis: not a whole number: " + wait);
        }
        if (millis < 0 || millis > 60_000) {
            throw new IllegalArgumentException("key keyWaitMillis: must be within 0..60000: " + wait);
        }
        return new CipherSettings(algorithm, millis);
    }

    private static String string(Map<String, ?> p, String key, String fallback) {
        Object v = p.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }
}
