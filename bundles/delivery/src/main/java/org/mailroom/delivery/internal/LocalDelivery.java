package org.mailroom.delivery.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.mailroom.api.delivery.Delivery;
import org.mailroom.api.delivery.DeliveryService;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.HeaderChange;
import org.mailroom.api.filter.HeldMessage;
import org.mailroom.api.filter.MessageRewrite;
import org.mailroom.api.filter.Quarantine;
import org.mailroom.api.filter.TextExtractor;
import org.mailroom.api.protocol.LogText;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.StoreException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers into the mail store, exactly once per key ({@link MailStore#deliverOnce}), with the
 * trace headers Postfix's local delivery writes on top: {@code Return-Path}, {@code X-Original-To}
 * (when an alias or the recipient delimiter changed the address) and {@code Delivered-To}. On the
 * way every registered {@link ContentFilter} sees the message ({@link FilterChain}) and may
 * reject, defer or quarantine it, or change it; {@link TextExtractor}s give the filters the text
 * of PDF and Office attachments ({@link TextExtraction}). The store and the filters are looked up
 * per delivery: while no store is registered (its bundle being updated) the delivery is not
 * attempted and the spool tries again in a moment; while a filter named in {@code
 * requiredFilters} is missing, mail is deferred, never let through unfiltered.
 * Configuration PID {@value #PID}: {@code requiredFilters}; {@code store.target} pins one store.
 */
@Component(
        service = DeliveryService.class,
        configurationPid = LocalDelivery.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = LocalDelivery.Config.class)
public class LocalDelivery implements DeliveryService {

    static final String PID = "org.mailroom.delivery";
    private static final Logger LOG = LoggerFactory.getLogger(LocalDelivery.class);
    private static final Pattern FILTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @ObjectClassDefinition(
            name = "Mailroom local delivery",
            description = "From the spool through the content filters into the mail store")
    public @interface Config {
        @AttributeDefinition(
                description =
                        "Content filters and text extractors (their mailroom.filter.name) without which mail is deferred, comma-separated")
        String requiredFilters() default "";

        @AttributeDefinition(
                description =
                        "Folder for work files (rewritten messages, attachments spooled for a text extractor); empty: the JVM's temporary folder")
        String workDirectory() default "";
    }

    @Reference(
            name = "store",
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile MailStore store;

    @Reference(
            name = "quarantine",
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Quarantine quarantine;

    private final ChainServices<ContentFilter> filters = new ChainServices<>("Content filter");
    private final ChainServices<TextExtractor> extractors = new ChainServices<>("Text extractor");

    private volatile List<String> requiredFilters = List.of();
    private volatile String workDirectory = "";

    @Reference(
            name = "filters",
            service = ContentFilter.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeFilter",
            updated = "updatedFilter")
    void addFilter(ServiceReference<ContentFilter> reference, ContentFilter filter) {
        filters.add(reference, filter);
    }

    void removeFilter(ServiceReference<ContentFilter> reference) {
        filters.remove(reference);
    }

    void updatedFilter(ServiceReference<ContentFilter> reference, ContentFilter filter) {
        filters.updated(reference, filter);
    }

    @Reference(
            name = "extractors",
            service = TextExtractor.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeExtractor",
            updated = "updatedExtractor")
    void addExtractor(ServiceReference<TextExtractor> reference, TextExtractor extractor) {
        extractors.add(reference, extractor);
    }

    void removeExtractor(ServiceReference<TextExtractor> reference) {
        extractors.remove(reference);
    }

    void updatedExtractor(ServiceReference<TextExtractor> reference, TextExtractor extractor) {
        extractors.updated(reference, extractor);
    }

    /** A bad requiredFilters leaves the delivery service unregistered (mail waits in the spool). */
    @Activate
    void activate(Config config, Map<String, Object> properties) {
        workDirectory = config.workDirectory().strip();
        try {
            requiredFilters = parseRequired(config.requiredFilters());
        } catch (IllegalArgumentException e) {
            String problem = "Bad configuration in " + file(properties) + ": key requiredFilters: " + e.getMessage();
            LOG.error("{}; local delivery stays inactive", problem);
            throw new IllegalArgumentException(problem, e);
        }
        if (!requiredFilters.isEmpty()) {
            LOG.info("Local delivery requires the content filters {}", requiredFilters);
        }
    }

    /** A bad edit keeps the previous list in force. */
    @Modified
    void modified(Config config, Map<String, Object> properties) {
        workDirectory = config.workDirectory().strip();
        try {
            requiredFilters = parseRequired(config.requiredFilters());
            LOG.info("Local delivery requires the content filters {}", requiredFilters);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: key requiredFilters: {}; the previous list {} stays in force",
                    file(properties),
                    e.getMessage(),
                    requiredFilters);
        }
    }

    static List<String> parseRequired(String value) {
        List<String> names = new ArrayList<>();
        for (String part : value.split(",")) {
            String name = part.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (!FILTER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("\"" + name + "\" is not a filter name (letters, digits, . _ -)");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    @Override
    public Verdict deliver(Delivery delivery) {
        MailStore current = store;
        if (current == null) {
            return Verdict.unavailable("no mail store");
        }
        List<FilterChain.Named> chain = filters.named(FilterChain.Named::new);
        List<TextExtraction.Named> readers = extractors.named(TextExtraction.Named::new);
        for (String required : requiredFilters) {
            if (chain.stream().noneMatch(f -> f.name().equals(required))
                    && readers.stream().noneMatch(e -> e.name().equals(required))) {
                LOG.warn("Required content filter {} is not installed: {} deferred", required, delivery.key());
                return Verdict.deferred("451 4.7.1 Content filter " + required + " is not available, try again later");
            }
        }
        List<HeaderChange> changes = List.of();
        List<MessageRewrite> rewrites = List.of();
        if (!chain.isEmpty()) {
            FilterChain.Result result;
            try {
                result = FilterChain.run(chain, readers, new WorkFiles(workDirectory), delivery);
            } catch (IOException e) {
                return Verdict.retry("cannot read the spooled message: " + e);
            }
            Verdict refused = result.action() == FilterVerdict.Action.QUARANTINE
                    ? hold(result, delivery)
                    : refusal(result, delivery);
            if (refused != null) {
                return refused;
            }
            changes = result.headerChanges();
            rewrites = result.rewrites();
        }
        if (rewrites.isEmpty()) {
            try (InputStream message = asDelivered(delivery, changes)) {
                return store(current, delivery, message);
            } catch (IOException e) {
                return Verdict.retry("cannot read the spooled message: " + e);
            }
        }
        return storeRewritten(current, delivery, changes, rewrites);
    }

    /**
     * Streams the message through the filters' rewrites, each into a work file, and delivers the
     * last. A rewrite that fails defers the delivery; the work files go in every case.
     */
    private Verdict storeRewritten(
            MailStore current, Delivery delivery, List<HeaderChange> changes, List<MessageRewrite> rewrites) {
        WorkFiles workFiles = new WorkFiles(workDirectory);
        List<Path> work = new ArrayList<>();
        try {
            InputStream message = edited(delivery, changes);
            for (MessageRewrite rewrite : rewrites) {
                Path file = workFiles.create("rewrite-", ".eml");
                work.add(file);
                try (InputStream in = message;
                        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
                    rewrite.rewrite(in, out);
                }
                message = Files.newInputStream(file);
            }
            try (InputStream rewritten =
                    new SequenceInputStream(new ByteArrayInputStream(traceHeaders(delivery)), message)) {
                return store(current, delivery, rewritten);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "A content filter's rewrite of {} for {} failed: {}",
                    delivery.key(),
                    LogText.of(delivery.user()),
                    e.toString());
            return Verdict.retry("a content filter's rewrite failed: " + e);
        } finally {
            work.forEach(workFiles::delete);
        }
    }

    /** The verdict for a message the filters did not accept, null for an accepted one. */
    private static Verdict refusal(FilterChain.Result result, Delivery delivery) {
        String who = LogText.of(delivery.user());
        switch (result.action()) {
            case ACCEPT:
                return null;
            case REJECT:
                LOG.info(
                        "Filter {} rejected {} for {}: {}",
                        result.filter(),
                        delivery.key(),
                        who,
                        result.verdict().reason());
                return Verdict.rejected(result.verdict().reply());
            case DEFER:
                LOG.info(
                        "Filter {} deferred {} for {}: {}",
                        result.filter(),
                        delivery.key(),
                        who,
                        result.verdict().reason());
                return Verdict.deferred(result.verdict().reply());
            default:
                // An action this chain does not know: held back, never delivered.
                LOG.warn(
                        "Filter {} gave {} for {} an unknown verdict {}: deferred",
                        result.filter(),
                        delivery.key(),
                        who,
                        result.verdict());
                return Verdict.deferred("451 4.7.1 Message not accepted now, try again later");
        }
    }

    /** Puts a quarantined message, as it would have been delivered, into the quarantine. */
    private Verdict hold(FilterChain.Result result, Delivery delivery) {
        String who = LogText.of(delivery.user());
        Quarantine current = quarantine;
        if (current == null) {
            LOG.warn(
                    "Filter {} wants {} for {} held ({}), but no quarantine is installed: deferred",
                    result.filter(),
                    delivery.key(),
                    who,
                    result.verdict().reason());
            return Verdict.deferred("451 4.7.1 Message held for review, try again later");
        }
        HeldMessage held = new HeldMessage(
                delivery.key(),
                delivery.sender(),
                delivery.recipient(),
                delivery.user(),
                result.filter(),
                result.verdict().reason(),
                null,
                0);
        try (InputStream message = asDelivered(delivery, List.of())) {
            String id = current.hold(held, message);
            LOG.info(
                    "Filter {} quarantined {} for {} as {}: {}",
                    result.filter(),
                    delivery.key(),
                    who,
                    id,
                    result.verdict().reason());
            return Verdict.quarantined("held as " + id + " by " + result.filter() + ": "
                    + result.verdict().reason());
        } catch (IOException | RuntimeException e) {
            return Verdict.retry("cannot hold the message in the quarantine: " + e);
        }
    }

    private static Verdict store(MailStore current, Delivery delivery, InputStream message) {
        try {
            boolean now = current.deliverOnce(delivery.user(), delivery.key(), message);
            if (!now) {
                LOG.info(
                        "{} was already in the mailbox of {}: not delivered again",
                        delivery.key(),
                        LogText.of(delivery.user()));
            }
            return Verdict.delivered();
        } catch (StoreException e) {
            return e.isTemporary() ? Verdict.retry(e.getMessage()) : Verdict.failed(e.getMessage());
        }
    }

    /** The message as it goes into a mailbox (or the quarantine): trace headers, the filters' changes. */
    private static InputStream asDelivered(Delivery delivery, List<HeaderChange> changes) throws IOException {
        return new SequenceInputStream(new ByteArrayInputStream(traceHeaders(delivery)), edited(delivery, changes));
    }

    /** The message with the filters' header changes: what their rewrites are given. */
    private static InputStream edited(Delivery delivery, List<HeaderChange> changes) throws IOException {
        InputStream message = delivery.message().open();
        if (changes.stream().anyMatch(c -> !c.add())) {
            message = new HeaderEditor(message, changes);
        }
        byte[] added = HeaderEditor.addedFields(changes);
        return added.length == 0 ? message : new SequenceInputStream(new ByteArrayInputStream(added), message);
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }

    /** The headers put on top of the message, in wire form. */
    static byte[] traceHeaders(Delivery delivery) {
        String deliveredTo = deliveredTo(delivery);
        StringBuilder h = new StringBuilder();
        h.append("Return-Path: <").append(clean(delivery.sender())).append(">\r\n");
        if (!deliveredTo.equalsIgnoreCase(delivery.recipient())) {
            h.append("X-Original-To: ").append(clean(delivery.recipient())).append("\r\n");
        }
        h.append("Delivered-To: ").append(clean(deliveredTo)).append("\r\n");
        return h.toString().getBytes(UTF_8);
    }

    /** The user's address in the recipient's domain (the recipient itself when it names the user). */
    static String deliveredTo(Delivery delivery) {
        String recipient = delivery.recipient();
        int at = recipient.lastIndexOf('@');
        if (at < 0) {
            return delivery.user();
        }
        String local = recipient.substring(0, at);
        if (local.equals(delivery.user())) {
            return recipient;
        }
        return delivery.user() + "@" + recipient.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** No line breaks in a header value, whatever an envelope carried. */
    private static String clean(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }
}
