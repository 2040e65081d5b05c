package org.mailroom.spool.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * @param directory where the spool keeps {@code incoming/} and {@code queue/}
 * @param deliveryThreads how many deliveries run at once
 * @param retryDelays the waits after the first, second, ... failed attempt; the last repeats
 * @param maxAge how long a recipient is retried before it fails for good
 * @param fsync whether messages and their state are forced to disk before they count
 * @param deliverBeforeReply messages for at most this many recipients are delivered before
 *     {@code commit} returns, and queued only for the recipients that could not be; 0: never
 */
record SpoolSettings(
        Path directory,
        int deliveryThreads,
        List<Duration> retryDelays,
        Duration maxAge,
        boolean fsync,
        int deliverBeforeReply) {

    static final int MAX_DELIVER_BEFORE_REPLY = 1000;

    /** @throws IllegalArgumentException naming the key of a bad value and why it is bad */
    static SpoolSettings from(SpoolComponent.Config config, Map<String, ?> properties) {
        if (config.deliveryThreads() < 1 || config.deliveryThreads() > 64) {
            throw new IllegalArgumentException("key deliveryThreads: must be 1 to 64, not " + config.deliveryThreads());
        }
        if (config.maxAgeHours() < 1) {
            throw new IllegalArgumentException("key maxAgeHours: must be positive, not " + config.maxAgeHours());
        }
        if (config.deliverBeforeReply() < 0 || config.deliverBeforeReply() > MAX_DELIVER_BEFORE_REPLY) {
            throw new IllegalArgumentException("key deliverBeforeReply: must be 0 to " + MAX_DELIVER_BEFORE_REPLY
                    + " recipients, not " + config.deliverBeforeReply());
        }
        if (properties.get("fsync") instanceof String text
                && !text.equalsIgnoreCase("true")
                && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("key fsync: must be true or false, not '" + text + "'");
        }
        return new SpoolSettings(
                directory(config.directory()),
                config.deliveryThreads(),
                delays(config.retryDelays()),
                Duration.ofHours(config.maxAgeHours()),
                config.fsync(),
                config.deliverBeforeReply());
    }

    /** The wait after the given number of failed attempts (1 for the first). */
    Duration retryDelay(int attempts) {
        return retryDelays.get(Math.min(Math.max(attempts, 1), retryDelays.size()) - 1);
    }

    private static List<Duration> delays(String value) {
        List<Duration> delays = new ArrayList<>();
        for (String part : value == null ? new String[0] : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                long seconds = Long.parseLong(part.trim());
                if (seconds < 1) {
                    throw new NumberFormatException();
                }
                delays.add(Duration.ofSeconds(seconds));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "key retryDelays: '" + part.trim() + "' is not a positive number of seconds");
            }
        }
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("key retryDelays: needs at least one delay in seconds");
        }
        return List.copyOf(delays);
    }

    private static Path directory(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("key directory: missing; it must name a directory");
        }
        try {
            Path path = Path.of(value.trim());
            if (!path.isAbsolute()) {
                String base = System.getProperty("karaf.base");
                path = base == null ? path.toAbsolutePath() : Path.of(base).resolve(path);
            }
            return path.toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("key directory: invalid path '" + value + "': " + e.getMessage());
        }
    }
}
