package org.mailroom.spool.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.mailroom.api.delivery.DeliveryService;
import org.mailroom.api.spool.QueuedMessage;
import org.mailroom.api.spool.Spool;
import org.mailroom.api.spool.SpoolException;
import org.mailroom.api.spool.SpoolRecipient;
import org.mailroom.api.spool.SpoolWriter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
 * Registers the {@link Spool}; configuration PID {@value #PID}. The delivery service is looked up
 * for every delivery: while none is registered, messages wait in the spool.
 */
@Component(
        service = Spool.class,
        configurationPid = SpoolComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SpoolComponent.Config.class)
public class SpoolComponent implements Spool {

    static final String PID = "org.mailroom.spool";

    @ObjectClassDefinition(
            name = "Mailroom spool",
            description = "Accepted messages on disk until every recipient has them")
    public @interface Config {

        @AttributeDefinition(description = "Spool directory; a relative path is resolved against karaf.base")
        String directory();

        @AttributeDefinition(description = "Deliveries running at once")
        int deliveryThreads() default 2;

        @AttributeDefinition(
                description =
                        "Seconds to wait after the 1st, 2nd, ... failed attempt, comma-separated; the last repeats")
        String retryDelays() default "60, 300, 900, 1800, 3600";

        @AttributeDefinition(description = "Hours a recipient is retried before it fails for good")
        int maxAgeHours() default 120;

        @AttributeDefinition(description = "Force messages and their state to disk before they count")
        boolean fsync() default true;

        @AttributeDefinition(
                description = "Messages for at most this many recipients are delivered before the client hears 250;"
                        + " 0: every message is queued first")
        int deliverBeforeReply() default 16;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SpoolComponent.class);

    /** Named so that etc/org.mailroom.spool.cfg can pin one with delivery.target. */
    @Reference(
            name = "delivery",
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile DeliveryService delivery;

    private volatile FileSpool spool;

    /** A bad configuration leaves the spool unregistered, with the file, key and reason in the log. */
    @Activate
    void activate(Config config, Map<String, Object> properties) {
        SpoolSettings settings;
        try {
            settings = SpoolSettings.from(config, properties);
        } catch (IllegalArgumentException e) {
            String problem = "Bad configuration in " + file(properties) + ": " + e.getMessage();
            LOG.error("{}; the spool stays inactive", problem);
            throw new IllegalArgumentException(problem, e);
        }
        try {
            spool = new FileSpool(settings, () -> delivery);
        } catch (IOException e) {
            String problem = "Bad configuration in " + file(properties) + ": key directory: cannot use "
                    + settings.directory() + ": " + e;
            LOG.error("{}; the spool stays inactive", problem);
            throw new IllegalArgumentException(problem, e);
        }
        int queued = spool.start();
        LOG.info(
                "Spool at {} ({} message(s) queued, {} delivery thread(s), fsync: {})",
                settings.directory(),
                queued,
                settings.deliveryThreads(),
                settings.fsync());
    }

    /**
     * A bad edit keeps the previous settings in force; a good one replaces the spool instance
     * (messages being received meanwhile get a temporary error and are sent again by the client).
     */
    @Modified
    void modified(Config config, Map<String, Object> properties) {
        SpoolSettings settings;
        try {
            settings = SpoolSettings.from(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous settings stay in force",
                    file(properties),
                    e.getMessage());
            return;
        }
        FileSpool old = spool;
        if (settings.equals(old.settings())) {
            return;
        }
        FileSpool replacement;
        try {
            replacement = new FileSpool(settings, () -> delivery);
        } catch (IOException e) {
            LOG.error(
                    "Bad configuration in {}: key directory: cannot use {}: {}; the previous settings stay in force",
                    file(properties),
                    settings.directory(),
                    e.toString());
            return;
        }
        old.close();
        spool = replacement;
        int queued = replacement.start();
        if (!settings.directory().equals(old.settings().directory())) {
            LOG.warn(
                    "Spool moved from {} to {}: messages left in the old directory are not delivered from there",
                    old.settings().directory(),
                    settings.directory());
        }
        LOG.info("Spool reconfigured: {} ({} message(s) queued)", settings, queued);
    }

    @Deactivate
    void deactivate() {
        spool.close();
    }

    SpoolSettings settings() {
        return spool.settings();
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }

    @Override
    public SpoolWriter receive(String sender, List<SpoolRecipient> recipients) throws SpoolException {
        return spool.receive(sender, recipients);
    }

    @Override
    public List<QueuedMessage> list() {
        return spool.list();
    }

    @Override
    public QueuedMessage find(String id) {
        return spool.find(id);
    }

    @Override
    public InputStream open(String id) throws SpoolException {
        return spool.open(id);
    }

    @Override
    public int retry(String id) throws SpoolException {
        return spool.retry(id);
    }

    @Override
    public boolean delete(String id) throws SpoolException {
        return spool.delete(id);
    }
}
