package org.mailroom.filter.spamd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.protocol.LogText;
import org.mailroom.filter.spamd.internal.SpamdSettings.OnFailure;
import org.mailroom.filter.spamd.internal.SpamdSettings.OnTooLarge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery: notes the {@code X-Spam-*} fields of the message's header (the sender's, to be
 * removed: only ours may say what spamd thought), then at the end sends the raw message to spamd
 * and turns its score into the verdict.
 */
final class SpamdSession implements FilterSession {

    private static final Logger LOG = LoggerFactory.getLogger(SpamdSession.class);

    static final String FLAG = "X-Spam-Flag";
    static final String STATUS = "X-Spam-Status";
    static final String UNAVAILABLE = "Spam scanner unavailable, try again later";

    private final SpamdSettings settings;
    private final FilterContext context;
    private final Set<String> forged = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    SpamdSession(SpamdSettings settings, FilterContext context) {
        this.settings = settings;
        this.context = context;
        forged.add(FLAG);
        forged.add(STATUS);
    }

    @Override
    public void header(MimeField field) {
        if (field.name().toLowerCase(Locale.ROOT).startsWith("x-spam-") && forged.size() < 100) {
            forged.add(field.name());
        }
    }

    @Override
    public FilterVerdict finish() {
        long size = context.size();
        if (settings.maxScanSize() > 0 && size > settings.maxScanSize()) {
            return tooLarge(size);
        }
        long start = System.nanoTime();
        Spamd.Result result;
        try (InputStream message = context.message()) {
            result = Spamd.check(settings.address(), settings.timeout(), user(), message, size);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the message of " + context.key() + " to scan", e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (!result.scanned()) {
            boolean defer = settings.onFailure() == OnFailure.DEFER;
            LOG.warn(
                    "SpamAssassin: {} for {} not scanned after {} ms: {}; {}",
                    context.key(),
                    LogText.of(context.user()),
                    millis,
                    result.detail(),
                    defer ? "deferred (onFailure = defer)" : "delivered with a header (onFailure = accept-tag)");
            return defer
                    ? FilterVerdict.defer(451, "4.7.1", UNAVAILABLE).withReason("not scanned: " + result.detail())
                    : cleaned(FilterVerdict.accept()).withHeader(STATUS, "not scanned (" + result.problem() + ")");
        }
        double score = result.score();
        double required = settings.tagScore().isPresent() ? settings.tagScore().getAsDouble() : result.threshold();
        String tests = result.rules().isEmpty() ? "none" : String.join(", ", result.rules());
        String summary = "score=" + format(score) + " required=" + format(required) + " tests=" + tests;
        if (settings.rejectScore().isPresent()
                && score >= settings.rejectScore().getAsDouble()) {
            log("refused", summary, millis);
            return FilterVerdict.reject(550, "5.7.1", "Message refused as spam")
                    .withReason("spam, " + summary + " (spamassassin)");
        }
        if (settings.quarantineScore().isPresent()
                && score >= settings.quarantineScore().getAsDouble()) {
            log("quarantined", summary, millis);
            return FilterVerdict.quarantine("spam, " + summary + " (spamassassin)");
        }
        boolean spam = settings.tagScore().isPresent() ? score >= required : result.spam();
        if (spam) {
            log("tagged as spam", summary, millis);
            return cleaned(FilterVerdict.accept()).withHeader(FLAG, "YES").withHeader(STATUS, "Yes, " + summary);
        }
        LOG.debug("SpamAssassin: {} not spam, {} ({} ms)", context.key(), summary, millis);
        return cleaned(FilterVerdict.accept()).withHeader(STATUS, "No, " + summary);
    }

    private FilterVerdict tooLarge(long size) {
        OnTooLarge policy = settings.onTooLarge();
        LOG.info(
                "SpamAssassin: {} for {} not scanned: {} octets is more than maxScanSize {}; {}",
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
                cleaned(FilterVerdict.accept())
                        .withHeader(STATUS, "not scanned (larger than " + settings.maxScanSize() + " octets)");
            case DEFER ->
                FilterVerdict.defer(451, "4.7.1", "Message too large for the spam scanner, try again later")
                        .withReason(reason);
            case REJECT ->
                FilterVerdict.reject(552, "5.3.4", "Message too large for the spam scanner")
                        .withReason(reason);
        };
    }

    private void log(String what, String summary, long millis) {
        LOG.info(
                "SpamAssassin: {} from {} for {} {}: {} ({} ms)",
                context.key(),
                LogText.of(context.sender()),
                LogText.of(context.user()),
                what,
                summary,
                millis);
    }

    /** The verdict with every X-Spam-* field of the sender's removed. */
    private FilterVerdict cleaned(FilterVerdict verdict) {
        FilterVerdict v = verdict;
        for (String name : forged) {
            v = v.withoutHeader(name);
        }
        return v;
    }

    /** The User line: the setting, with %u the local user (characters outside a safe set as _). */
    private String user() {
        String local = context.user() == null ? "" : context.user().replaceAll("[^A-Za-z0-9._@+-]", "_");
        return settings.user().replace("%u", local.isEmpty() ? "mailroom" : local);
    }

    private static String format(double score) {
        return String.format(Locale.ROOT, "%.1f", score);
    }
}
