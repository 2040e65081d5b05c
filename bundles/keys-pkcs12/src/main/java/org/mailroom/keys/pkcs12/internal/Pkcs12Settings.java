package org.mailroom.keys.pkcs12.internal;

import java.nio.file.Path;
import java.util.Map;

/** The settings of etc/org.mailroom.keys.pkcs12.cfg, checked; a bad value names its key. */
record Pkcs12Settings(
        Path keystore, Path passwordFile, KekAlgorithm keyAlgorithm, String currentKey, boolean generate) {

    static Pkcs12Settings from(Map<String, ?> p) {
        Path keystore = path(p, "keystore");
        Path passwordFile = path(p, "passwordFile");
        KekAlgorithm algorithm;
        try {
            algorithm = KekAlgorithm.byName(string(p, "keyAlgorithm", "AES-256"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key keyAlgorithm: " + e.getMessage());
        }
        String current = string(p, "currentKey", "");
        String generate = string(p, "generate", "false");
        if (!generate.equals("true") && !generate.equals("false")) {
            throw new IllegalArgumentException("key generate: true or false, not " + generate);
        }
        return new Pkcs12Settings(
                keystore, passwordFile, algorithm, current.isEmpty() ? null : current, Boolean.parseBoolean(generate));
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
