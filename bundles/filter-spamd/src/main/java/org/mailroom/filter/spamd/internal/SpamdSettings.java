package org.mailroom.filter.spamd.internal;

import static org.mailroom.filter.daemon.CfgValues.choice;
import static org.mailroom.filter.daemon.CfgValues.number;
import static org.mailroom.filter.daemon.CfgValues.string;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.mailroom.filter.daemon.CfgValues;
import org.mailroom.filter.daemon.DaemonAddress;

/**
 * The SpamAssassin adapter's settings, from {@code etc/org.mailroom.filter.spamd.cfg}. Read from
 * the configuration's properties as written (strings from the file, or typed values), so that a
 * bad value is reported with its key rather than as a conversion error.
 *
 * @param address where spamd listens
 * @param user the {@code User} spamd applies the preferences of; {@code %u} is the local user
 * @param timeout how long connecting, and every wait for spamd to take or send octets, may take
 * @param onFailure what a message gets when spamd is down, slow or answers with an error
 * @param maxScanSize messages larger than this (octets) are not sent to spamd; 0: no limit
 * @param onTooLarge what such a message gets
 * @param tagScore from this score on a message is tagged as spam; empty: spamd's own threshold
 * @param quarantineScore from this score on it is quarantined; empty: never
 * @param rejectScore from this score on it is refused; empty: never
 */
record SpamdSettings(
        DaemonAddress address,
        String user,
        Duration timeout,
        OnFailure onFailure,
        long maxScanSize,
        OnTooLarge onTooLarge,
        OptionalDouble tagScore,
        OptionalDouble quarantineScore,
        OptionalDouble rejectScore) {

    enum OnFailure {
        DEFER,
        ACCEPT_TAG
    }

    enum OnTooLarge {
        ACCEPT_TAG,
        DEFER,
        REJECT
    }

    /** @throws IllegalArgumentException naming the key of a bad value and why it is bad */
    static SpamdSettings of(Map<String, ?> properties) {
        DaemonAddress address;
        try {
            address = DaemonAddress.parse(string(properties, "address", "tcp:127.0.0.1:783"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key address: " + e.getMessage());
        }
        String user = string(properties, "user", "mailroom");
        if (user.isEmpty() || !user.matches("[A-Za-z0-9._@+%-]+")) {
            throw new IllegalArgumentException(
                    "key user: '" + user + "' is not a user name (letters, digits and . _ @ + - %u)");
        }
        long timeout = number(properties, "timeoutSeconds", 30, 1, 3600);
        long maxScanSize = number(properties, "maxScanSize", 512_000, 0, Long.MAX_VALUE);
        // Checked here so that a bad one is reported with its key; DS puts it on the service.
        number(properties, "service.ranking", 50, Integer.MIN_VALUE, Integer.MAX_VALUE);
        OptionalDouble tag = score(properties, "tagScore");
        OptionalDouble quarantine = score(properties, "quarantineScore");
        OptionalDouble reject = score(properties, "rejectScore");
        if (tag.isPresent() && quarantine.isPresent() && quarantine.getAsDouble() < tag.getAsDouble()) {
            throw new IllegalArgumentException(
                    "key quarantineScore: " + quarantine.getAsDouble() + " is below tagScore " + tag.getAsDouble());
        }
        OptionalDouble below = quarantine.isPresent() ? quarantine : tag;
        if (below.isPresent() && reject.isPresent() && reject.getAsDouble() < below.getAsDouble()) {
            throw new IllegalArgumentException("key rejectScore: " + reject.getAsDouble() + " is below "
                    + (quarantine.isPresent() ? "quarantineScore " : "tagScore ") + below.getAsDouble());
        }
        return new SpamdSettings(
                address,
                user,
                Duration.ofSeconds(timeout),
                choice(properties, "onFailure", OnFailure.ACCEPT_TAG),
                maxScanSize,
                choice(properties, "onTooLarge", OnTooLarge.ACCEPT_TAG),
                tag,
                quarantine,
                reject);
    }

    static SpamdSettings required(Map<String, ?> properties, String pid) {
        return CfgValues.required(properties, pid, "the SpamAssassin adapter", SpamdSettings::of);
    }

    static Optional<SpamdSettings> changed(Map<String, ?> properties, String pid) {
        return CfgValues.changed(properties, pid, SpamdSettings::of);
    }

    private static OptionalDouble score(Map<String, ?> properties, String key) {
        String text = string(properties, key, "");
        if (text.isEmpty()) {
            return OptionalDouble.empty();
        }
        try {
            double score = Double.parseDouble(text);
            if (Double.isFinite(score)) {
                return OptionalDouble.of(score);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("key " + key + ": '" + text + "' is not a score (a number such as 5.0)");
    }
}
