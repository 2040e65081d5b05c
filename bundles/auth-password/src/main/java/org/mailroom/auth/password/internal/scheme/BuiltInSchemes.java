package org.mailroom.auth.password.internal.scheme;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.mailroom.api.auth.PasswordScheme;

/**
 * The password schemes of this bundle, one row each: its Dovecot name and aliases, the hash costs
 * it takes (keys of {@code etc/org.mailroom.auth.password.schemes.cfg}) and how it is built from
 * them. The row list is the one source of the registered services, the names a users file may use
 * and the tests.
 */
public final class BuiltInSchemes {

    /** One cost setting: its key in the file is the scheme's lower-case name, a dot and this name. */
    public record Cost(String name, int defaultValue, int min, int max) {}

    /** One built-in scheme; {@link #create} gets each cost by its {@link Cost#name()}. */
    public record Scheme(
            String name,
            List<String> aliases,
            List<Cost> costs,
            Function<Map<String, Integer>, PasswordScheme> factory) {

        /** The name first, then the aliases, as registered in {@link PasswordScheme#NAME}. */
        public List<String> names() {
            List<String> all = new ArrayList<>();
            all.add(name);
            all.addAll(aliases);
            return all;
        }

        public String key(Cost cost) {
            return name.toLowerCase(Locale.ROOT) + "." + cost.name();
        }

        public List<String> keys() {
            return costs.stream().map(this::key).toList();
        }

        public Map<String, Integer> defaults() {
            Map<String, Integer> values = new LinkedHashMap<>();
            for (Cost c : costs) {
                values.put(c.name(), c.defaultValue());
            }
            return values;
        }

        public PasswordScheme create(Map<String, Integer> costValues) {
            return factory.apply(costValues);
        }
    }

    public static final List<Scheme> ALL = List.of(
            new Scheme(
                    "ARGON2ID",
                    List.of(),
                    List.of(
                            new Cost("memoryKiB", 19456, Argon2Scheme.MIN_MEMORY_KIB, Argon2Scheme.MAX_MEMORY_KIB),
                            new Cost("iterations", 2, 1, Integer.MAX_VALUE),
                            new Cost("parallelism", 1, 1, Argon2Scheme.MAX_PARALLELISM)),
                    c -> new Argon2Scheme(true, c.get("memoryKiB"), c.get("iterations"), c.get("parallelism"))),
            new Scheme(
                    "ARGON2I",
                    List.of(),
                    List.of(
                            new Cost("memoryKiB", 32768, Argon2Scheme.MIN_MEMORY_KIB, Argon2Scheme.MAX_MEMORY_KIB),
                            new Cost("iterations", 4, 1, Integer.MAX_VALUE),
                            new Cost("parallelism", 1, 1, Argon2Scheme.MAX_PARALLELISM)),
                    c -> new Argon2Scheme(false, c.get("memoryKiB"), c.get("iterations"), c.get("parallelism"))),
            new Scheme(
                    "BLF-CRYPT",
                    List.of(),
                    List.of(new Cost("cost", 10, BlfCryptScheme.MIN_COST, BlfCryptScheme.MAX_COST)),
                    c -> new BlfCryptScheme(c.get("cost"))),
            new Scheme(
                    "SHA512-CRYPT",
                    List.of(),
                    List.of(new Cost("rounds", 50000, ShaCryptScheme.MIN_ROUNDS, ShaCryptScheme.MAX_ROUNDS)),
                    c -> new ShaCryptScheme(true, c.get("rounds"))),
            new Scheme(
                    "SHA256-CRYPT",
                    List.of(),
                    List.of(new Cost("rounds", 50000, ShaCryptScheme.MIN_ROUNDS, ShaCryptScheme.MAX_ROUNDS)),
                    c -> new ShaCryptScheme(false, c.get("rounds"))),
            new Scheme("MD5-CRYPT", List.of(), List.of(), c -> new Md5CryptScheme()),
            new Scheme(
                    "CRYPT",
                    List.of(),
                    List.of(new Cost("rounds", 50000, ShaCryptScheme.MIN_ROUNDS, ShaCryptScheme.MAX_ROUNDS)),
                    c -> new CryptScheme(c.get("rounds"))),
            new Scheme(
                    "PBKDF2",
                    List.of(),
                    List.of(new Cost("rounds", 100000, Pbkdf2Scheme.MIN_ROUNDS, Pbkdf2Scheme.MAX_ROUNDS)),
                    c -> new Pbkdf2Scheme(c.get("rounds"))),
            new Scheme("SSHA", List.of(), List.of(), c -> new DigestScheme("SHA-1", true)),
            new Scheme("SSHA256", List.of(), List.of(), c -> new DigestScheme("SHA-256", true)),
            new Scheme("SSHA512", List.of(), List.of(), c -> new DigestScheme("SHA-512", true)),
            new Scheme("SHA", List.of("SHA1"), List.of(), c -> new DigestScheme("SHA-1", false)),
            new Scheme("SHA256", List.of(), List.of(), c -> new DigestScheme("SHA-256", false)),
            new Scheme("SHA512", List.of(), List.of(), c -> new DigestScheme("SHA-512", false)),
            new Scheme("PLAIN", List.of("CLEARTEXT", "CLEAR"), List.of(), c -> new PlainScheme()));

    /** Every name and alias of the table, upper case. */
    public static final Set<String> NAMES = names();

    /**
     * Properties that ConfigAdmin, Declarative Services and Karaf add to a configuration: not
     * cost keys, and not typing mistakes either.
     */
    private static final List<String> FRAMEWORK_KEY_PREFIXES =
            List.of("service.", "component.", "osgi.ds.", "felix.fileinstall.", "org.apache.karaf.features.");

    private BuiltInSchemes() {}

    /**
     * Builds every scheme of the table with the costs of a configuration; a missing key takes its
     * default. Nothing is built unless every value is good.
     *
     * @return the schemes in table order
     * @throws IllegalArgumentException naming the key (or keys) and the reason of a bad value
     */
    public static Map<Scheme, PasswordScheme> create(Map<String, ?> configuration) {
        Map<Scheme, PasswordScheme> out = new LinkedHashMap<>();
        for (Scheme s : ALL) {
            Map<String, Integer> values = new LinkedHashMap<>();
            for (Cost c : s.costs()) {
                values.put(c.name(), value(s.key(c), c, configuration.get(s.key(c))));
            }
            try {
                out.put(s, s.create(values));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("keys " + String.join(", ", s.keys()) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The keys of a configuration that are neither cost keys of the table nor framework properties. */
    public static List<String> unknownKeys(Map<String, ?> configuration) {
        Set<String> known = new LinkedHashSet<>();
        for (Scheme s : ALL) {
            known.addAll(s.keys());
        }
        List<String> unknown = new ArrayList<>();
        for (String key : configuration.keySet()) {
            if (!known.contains(key) && FRAMEWORK_KEY_PREFIXES.stream().noneMatch(key::startsWith)) {
                unknown.add(key);
            }
        }
        unknown.sort(null);
        return unknown;
    }

    /** All cost keys of the table, in table order. */
    public static List<String> keys() {
        return ALL.stream().flatMap(s -> s.keys().stream()).toList();
    }

    private static int value(String key, Cost cost, Object raw) {
        if (raw == null) {
            return cost.defaultValue();
        }
        long v;
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
            v = ((Number) raw).longValue();
        } else if (raw instanceof String s) {
            try {
                v = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("key " + key + ": not a whole number: '" + s + "'");
            }
        } else {
            throw new IllegalArgumentException("key " + key + ": not a whole number: " + raw);
        }
        if (v < cost.min() || v > cost.max()) {
            throw new IllegalArgumentException(
                    "key " + key + ": must be within " + cost.min() + ".." + cost.max() + ", not " + v);
        }
        return (int) v;
    }

    private static Set<String> names() {
        Set<String> all = new LinkedHashSet<>();
        for (Scheme s : ALL) {
            all.addAll(s.names());
        }
        return Set.copyOf(all);
    }
}
