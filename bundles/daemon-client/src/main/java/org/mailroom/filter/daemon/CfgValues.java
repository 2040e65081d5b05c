package org.mailroom.filter.daemon;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Values of an optional bundle's configuration as Karaf hands them over (text from the .cfg file,
 * or typed values from ConfigAdmin), checked: a bad one is an IllegalArgumentException naming its
 * key, for the adapter to log with the file ({@link #file}).
 */
public final class CfgValues {

    private static final Logger LOG = LoggerFactory.getLogger(CfgValues.class);

    private CfgValues() {}

    /**
     * The settings at activation; a bad value is logged with the file and key, and fails the
     * activation (the component stays inactive).
     *
     * @param component what stays inactive, for the log: "the ClamAV adapter"
     */
    public static <T> T required(
            Map<String, ?> properties, String pid, String component, Function<Map<String, ?>, T> parse) {
        try {
            return parse.apply(properties);
        } catch (IllegalArgumentException e) {
            String problem = "Bad configuration in " + file(properties, pid) + ": " + e.getMessage();
            LOG.error("{}; {} stays inactive", problem, component);
            throw new IllegalArgumentException(problem, e);
        }
    }

    /** The settings of an edit; a bad value is logged and the previous settings stay (empty). */
    public static <T> Optional<T> changed(Map<String, ?> properties, String pid, Function<Map<String, ?>, T> parse) {
        try {
            return Optional.of(parse.apply(properties));
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous settings stay in force",
                    file(properties, pid),
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** The file the properties came from, or the PID. */
    public static Object file(Map<String, ?> properties, String pid) {
        Object file = properties.get("felix.fileinstall.filename");
        return file != null ? file : pid;
    }

    public static String string(Map<String, ?> properties, String key, String fallback) {
        Object value = properties.get(key);
        return value == null ? fallback : value.toString().strip();
    }

    public static long number(Map<String, ?> properties, String key, long fallback, long min, long max) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        long n;
        if (value instanceof Number number && !(value instanceof Double || value instanceof Float)) {
            n = number.longValue();
        } else {
            try {
                n = Long.parseLong(value.toString().strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("key " + key + ": '" + value + "' is not a whole number");
            }
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("key " + key + ": " + n + " is not "
                    + (max == Long.MAX_VALUE ? "at least " + min : min + ".." + max));
        }
        return n;
    }

    public static <E extends Enum<E>> E choice(Map<String, ?> properties, String key, E fallback) {
        String text = string(properties, key, "");
        if (text.isEmpty()) {
            return fallback;
        }
        for (E e : fallback.getDeclaringClass().getEnumConstants()) {
            if (name(e).equals(text.toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        StringBuilder names = new StringBuilder();
        for (E e : fallback.getDeclaringClass().getEnumConstants()) {
            names.append(names.length() == 0 ? "" : " or ").append(name(e));
        }
        throw new IllegalArgumentException("key " + key + ": must be " + names + ", not '" + text + "'");
    }

    /** The name of a choice as the file spells it: accept-tag for ACCEPT_TAG. */
    public static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
