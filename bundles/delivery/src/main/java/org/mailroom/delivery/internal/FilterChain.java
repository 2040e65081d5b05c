package org.mailroom.delivery.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.mailroom.api.delivery.Delivery;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.FilterVerdict.Action;
import org.mailroom.api.filter.HeaderChange;
import org.mailroom.api.filter.MessageRewrite;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;
import org.mailroom.api.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the content filters on one delivery: parses the message once and feeds every filter's
 * session, then combines their verdicts. The most severe action wins (reject, defer, quarantine,
 * accept); among the filters with that action the first in the chain's order gives the reply and
 * the reason; an accepted message gets the header changes and rewrites of every filter, in the
 * chain's order.
 * A filter that throws is taken to defer: a message is never let through a filter unfiltered.
 */
final class FilterChain {

    private static final Logger LOG = LoggerFactory.getLogger(FilterChain.class);

    /** A filter of the chain, with the name it has in logs and in {@code requiredFilters}. */
    record Named(String name, ContentFilter filter) {}

    /** The combined verdict: the deciding filter (null for a plain accept) and the changes to make. */
    record Result(
            FilterVerdict.Action action,
            String filter,
            FilterVerdict verdict,
            List<HeaderChange> headerChanges,
            List<MessageRewrite> rewrites) {}

    private FilterChain() {}

    /**
     * Filters the delivery's message through the filters, in order, with the text the extractors
     * find in attachments.
     *
     * @throws IOException if the message cannot be read (the delivery is tried again)
     */
    static Result run(List<Named> filters, List<TextExtraction.Named> extractors, WorkFiles work, Delivery delivery)
            throws IOException {
        FilterContext context = context(delivery);
        List<Running> running = new ArrayList<>(filters.size());
        for (Named f : filters) {
            Running r = new Running(f.name());
            r.guard(
                    delivery,
                    () -> r.session = Objects.requireNonNull(f.filter().open(context), "open returned null"));
            running.add(r);
        }
        FanOut fanOut = new FanOut(running, delivery);
        TextExtraction extraction =
                extractors.isEmpty() ? null : new TextExtraction(extractors, fanOut, work, delivery);
        try (InputStream message = delivery.message().open()) {
            MessageWalker.walk(message, extraction == null ? fanOut : extraction);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (extraction != null) {
                extraction.abandon();
            }
        }
        for (Running r : running) {
            if (r.verdict == null) {
                r.guard(delivery, () -> r.verdict = Objects.requireNonNull(r.session.finish(), "finish returned null"));
            }
        }
        return combine(running);
    }

    private static Result combine(List<Running> running) {
        Running decisive = null;
        List<HeaderChange> changes = new ArrayList<>();
        List<MessageRewrite> rewrites = new ArrayList<>();
        for (Running r : running) {
            changes.addAll(r.verdict.headerChanges());
            rewrites.addAll(r.verdict.rewrites());
            if (r.verdict.action() != Action.ACCEPT
                    && (decisive == null || severity(r.verdict.action()) > severity(decisive.verdict.action()))) {
                decisive = r;
            }
        }
        if (decisive == null) {
            return new Result(Action.ACCEPT, null, FilterVerdict.accept(), List.copyOf(changes), List.copyOf(rewrites));
        }
        return new Result(decisive.verdict.action(), decisive.name, decisive.verdict, List.of(), List.of());
    }

    private static int severity(Action action) {
        return switch (action) {
            case ACCEPT -> 0;
            case QUARANTINE -> 1;
            case DEFER -> 2;
            case REJECT -> 3;
        };
    }

    private static FilterContext context(Delivery delivery) {
        return new FilterContext() {
            @Override
            public String key() {
                return delivery.key();
            }

            @Override
            public String sender() {
                return delivery.sender();
            }

            @Override
            public String recipient() {
                return delivery.recipient();
            }

            @Override
            public String user() {
                return delivery.user();
            }

            @Override
            public long size() {
                return delivery.message().size();
            }

            @Override
            public InputStream message() throws IOException {
                return delivery.message().open();
            }
        };
    }

    /** One filter's session on this delivery; once it has a verdict it is not called any more. */
    private static final class Running {
        final String name;
        FilterSession session;
        FilterVerdict verdict;

        Running(String name) {
            this.name = name;
        }

        /** Runs a call into the filter; one that throws gives the filter a verdict to defer. */
        void guard(Delivery delivery, Runnable call) {
            try {
                call.run();
            } catch (RuntimeException | LinkageError e) {
                fail(e, delivery);
            }
        }

        private void fail(Throwable e, Delivery delivery) {
            LOG.error(
                    "Filter {} failed on {} for {}: the message is deferred",
                    name,
                    delivery.key(),
                    LogText.of(delivery.user()),
                    e);
            verdict = FilterVerdict.defer("Content filter " + name + " failed, try again later");
        }
    }

    /** Hands each event to every session that has no verdict yet. */
    private record FanOut(List<Running> running, Delivery delivery) implements TextExtraction.Listener {

        private void each(Consumer<FilterSession> call) {
            for (Running r : running) {
                if (r.verdict == null) {
                    r.guard(delivery, () -> call.accept(r.session));
                }
            }
        }

        @Override
        public void header(MimeField field) {
            each(s -> s.header(field));
        }

        @Override
        public void startPart(MimePart part) {
            each(s -> s.startPart(part));
        }

        @Override
        public void content(MimePart part, byte[] octets, int offset, int length) {
            each(s -> s.content(part, octets, offset, length));
        }

        /** Each session gets its own view of the characters: one that moves the buffer does not disturb the next. */
        @Override
        public void text(MimePart part, CharSequence chars) {
            each(s -> s.text(part, chars instanceof CharBuffer buffer ? buffer.duplicate() : chars));
        }

        @Override
        public void unreadable(MimePart part, String reason) {
            each(s -> s.unreadable(part, reason));
        }

        @Override
        public void endPart(MimePart part) {
            each(s -> s.endPart(part));
        }
    }
}
