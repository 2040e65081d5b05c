package org.mailroom.filter.clamav.internal;

import static org.mailroom.filter.daemon.CfgValues.choice;
import static org.mailroom.filter.daemon.CfgValues.number;
import static org.mailroom.filter.daemon.CfgValues.string;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.mailroom.filter.daemon.CfgValues;
import org.mailroom.filter.daemon.DaemonAddress;

/**
 * The ClamAV adapter's settings, from {@code etc/org.mailroom.filter.clamav.cfg}. Read from the
 * configuration's properties as written (strings from the file, or typed values), so that a bad
 * value is reported with its key rather than as a conversion error.
 *
 * @param address where clamd listens
 * @param timeout how long connecting, and every wait for clamd to take or send octets, may take
 * @param onVirus what an infected message gets
 * @param onFailure what a message gets when clamd is down, slow or answers with an error
 * @param maxScanSize messages larger than this (octets) are not sent to clamd; 0: no limit
 * @param onTooLarge what such a message gets
 * @param header the header field of a delivered message saying whether it was scanned; empty: none
 */
record ClamavSettings(
        DaemonAddress address,
        Duration timeout,
        OnVirus onVirus,
        OnFailure onFailure,
        long maxScanSize,
        OnTooLarge onTooLarge,
        String header) {

    enum OnVirus {
        REJECT,
        QUARANTINE
    }

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
    static ClamavSettings of(Map<String, ?> properties) {
        DaemonAddress address;
        try {
            address = DaemonAddress.parse(string(properties, "address", "tcp:127.0.0.1:3310"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key address: " + e.getMessage());
        }
        long timeout = number(properties, "timeoutSeconds", 30, 1, 3600);
        long maxScanSize = number(properties, "maxScanSize", 0, 0, Long.MAX_VALUE);
        // Checked here so that a bad one is reported with its key; DS puts it on the service.
        number(properties, "service.ranking", 100, Integer.MIN_VALUE, Integer.MAX_VALUE);
        String header = string(properties, "header", "X-Mailroom-Virus-Scan");
        if (!header.isEmpty() && !header.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
            throw new IllegalArgumentException("key header: '" + header + "' is not a header field name");
        }
        return new ClamavSettings(
                address,
                Duration.ofSeconds(timeout),
                choice(properties, "onVirus", OnVirus.REJECT),
                choice(properties, "onFailure", OnFailure.DEFER),
                maxScanSize,
                choice(properties, "onTooLarge", OnTooLarge.ACCEPT_TAG),
                header);
    }

    static ClamavSettings required(Map<String, ?> properties, String pid) {
        return CfgValues.required(properties, pid, "the ClamAV adapter", ClamavSettings::of);
    }

    static Optional<ClamavSettings> changed(Map<String, ?> properties, String pid) {
        return CfgValues.changed(properties, pid, ClamavSettings::of);
    }
}
