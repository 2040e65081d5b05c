package org.mailroom.tls.sm.internal;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The settings of etc/org.mailroom.tls.sm.cfg, checked; a bad value names its key.
 *
 * @param listeners the listeners (by name) offering RFC 8998; empty: every TLS listener
 */
record SmTlsSettings(Path certificate, Path privateKey, boolean selfSigned, Set<String> listeners) {

    static SmTlsSettings from(Map<String, ?> p) {
        String selfSigned = string(p, "selfSigned", "false");
        if (!selfSigned.equals("true") && !selfSigned.equals("false")) {
            throw new IllegalArgumentException("key selfSigned: true or false, not " + selfSigned);
        }
        Set<String> listeners = Arrays.stream(string(p, "listeners", "").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        return new SmTlsSettings(
                path(p, "certificate"), path(p, "privateKey"), Boolean.parseBoolean(selfSigned), listeners);
    }

    boolean offeredOn(String listener) {
        return listeners.isEmpty() || listeners.contains(listener);
    }

    private static Path path(Map<String, ?> p, String key) {
        String v = string(p, key, "");
        if (v.isEmpty()) {
            throw new IllegalArgumentException("key " + key + ": missing");
        }
        try {
            return Path.of(v).toAbsolutePath();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("key " + key + ": not a path: " + v);
        }
    }

    private static String string(Map<String, ?> p, String key, String fallback) {
        Object v = p.get(key);
        return v == null ? fallback : v.toString().trim();
    }
}
