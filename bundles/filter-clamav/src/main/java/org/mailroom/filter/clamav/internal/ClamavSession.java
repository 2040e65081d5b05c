package org.mailroom.filter.clamav.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.protocol.LogText;
import org.mailroom.filter.clamav.internal.ClamavSettings.OnFailure;
import org.mailroom.filter.clamav.internal.ClamavSettings.OnTooLarge;
import org.mailroom.filter.clamav.internal.ClamavSettings.OnVirus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery: the parsed events are not needed (clamd parses the message itself); at the end
 * the raw message goes to clamd and its answer becomes the verdict.
 */
final class ClamavSession implements FilterSession {

    private static final Logger LOG = LoggerFactory.getLogger(ClamavSession.class);

    static final String UNAVAILABLE = "Virus scanner unavailable, try again later";

    private final ClamavSettings settings;
    private final FilterContext context;

    ClamavSession(ClamavSettings settings, FilterContext context) {
        this.settings = settings;
        this.context = context;
    }

    @Override
    public FilterVerdict finish() {
        long size = context.size();
        if (settings.maxScanSize() > 0 && size > settings.maxScanSize()) {
            return tooLarge(size);
        }
        long start = System.nanoTime();
        Clamd.Scan scan;
        try (InputStream message = context.message()) {
            scan = Clamd.scan(settings.address(), settings.timeout(), message);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the message of " + context.key() + " to scan", e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        switch (scan.outcome()) {
            case CLEAN:
                LOG.debug("ClamAV: {} clean ({} octets, {} ms)", context.key(), scan.sent(), millis);
                return tagged(FilterVerdict.accept(), "clean (clamav)");
            case INFECTED:
                String signature = scan.signature();
                LOG.info(
                        "ClamAV: {} from {} for {} infected with {}: {}",
                        context.key(),
                        LogText.of(context.sender()),
                        LogText.of(context.user()),
                        LogText.of(signature),
                        settings.onVirus() == OnVirus.REJECT ? "rejected" : "quarantined");
                return settings.onVirus() == OnVirus.REJECT
                        ? FilterVerdict.reject(554, "5.7.1", "Virus found: " + signature)
                                .withReason("virus " + signature + " (clamav)")
                        : FilterVerdict.quarantine("virus " + signature + " (clamav)");
            default:
                boolean defer = settings.onFailure() == OnFailure.DEFER;
                LOG.warn(
                        "ClamAV: {} for {} not scanned after {} ms: {}; {}",
                        context.key(),
                        LogText.of(context.user()),
                        millis,
                        scan.detail(),
                        defer ? "deferred (onFailure = defer)" : "delivered with a header (onFailure = accept-tag)");
                return defer
                        ? FilterVerdict.defer(451, "4.7.1", UNAVAILABLE).withReason("not scanned: " + scan.detail())
                        : tagged(FilterVerdict.accept(), "not scanned (" + scan.problem() + ")");
        }
    }

    private FilterVerdict tooLarge(long size) {
        OnTooLarge policy = settings.onTooLarge();
        LOG.info(
                "ClamAV: {} for {} not scanned: {} octets is more than maxScanSize {}; {}",
                context.key(),
                LogText.of(context.user()),
                size,
                settings.maxScanSize(),
                switch (policy) {
                    case ACCEPT_TAG -> "delivered with a header (onTooLarge = accept-tag)";
                    case DEFER -> "deferred (onTooLarge = defer)";
                    case REJECT -> "rejected (onTooLarge = reject)";
                });
        String reason = "not scanned: " + size + " octets, maxScanSize " + settings.maxScanSize();
        return switch (policy) {
            case ACCEPT_TAG ->
                tagged(FilterVerdict.accept(), "not scanned (larger than " + settings.maxScanSize() + " octets)");
            case DEFER ->
                FilterVerdict.defer(451, "4.7.1", "Message too large for the virus scanner, try again later")
                        .withReason(reason);
            case REJECT ->
                FilterVerdict.reject(552, "5.3.4", "Message too large for the virus scanner")
                        .withReason(reason);
        };
    }

    /** The verdict with the scan header, replacing any the sender wrote (one that says clean, say). */
    private FilterVerdict tagged(FilterVerdict verdict, String value) {
        String header = settings.header();
        return header.isEmpty() ? verdict : verdict.withoutHeader(header).withHeader(header, value);
    }
}
