package org.mailroom.quarantine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mailroom.api.filter.HeldMessage;
import org.mailroom.api.filter.Quarantine;
import org.mailroom.api.store.MailStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
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
 * Registers the {@link Quarantine}; configuration PID {@value #PID}. The mail store a release
 * delivers into is looked up per release. A changed configuration re-creates the component.
 */
@Component(
        service = Quarantine.class,
        configurationPid = QuarantineComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = QuarantineComponent.Config.class)
public class QuarantineComponent implements Quarantine {

    static final String PID = "org.mailroom.quarantine";
    private static final Logger LOG = LoggerFactory.getLogger(QuarantineComponent.class);

    @ObjectClassDefinition(name = "Mailroom quarantine", description = "Messages held by content filters")
    public @interface Config {
        @AttributeDefinition(description = "Quarantine directory; a relative path is resolved against karaf.base")
        String directory();

        @AttributeDefinition(description = "Force held messages to disk before they count")
        boolean fsync() default true;
    }

    @Reference(
            name = "store",
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile MailStore store;

    private QuarantineStore quarantine;

    /** A bad configuration leaves the quarantine unregistered (quarantined mail is deferred). */
    @Activate
    void activate(Config config, Map<String, Object> properties) {
        Object file = properties.getOrDefault("felix.fileinstall.filename", PID);
        String directory = config.directory() == null ? "" : config.directory().strip();
        if (directory.isEmpty()) {
            String problem = "Bad configuration in " + file + ": key directory: empty";
            LOG.error("{}; the quarantine stays inactive", problem);
            throw new IllegalArgumentException(problem);
        }
        Path dir = Path.of(directory);
        if (!dir.isAbsolute()) {
            dir = Path.of(System.getProperty("karaf.base", ".")).resolve(dir);
        }
        try {
            quarantine = new QuarantineStore(dir.toAbsolutePath().normalize(), config.fsync(), () -> store);
            LOG.info("Quarantine at {} ({} message(s) held)", quarantine.directory(), quarantine.count());
        } catch (IOException e) {
            String problem = "Bad configuration in " + file + ": key directory: cannot use " + dir + ": " + e;
            LOG.error("{}; the quarantine stays inactive", problem);
            throw new IllegalArgumentException(problem, e);
        }
    }

    @Override
    public String hold(HeldMessage held, InputStream message) throws IOException {
        return quarantine.hold(held, message);
    }

    @Override
    public List<HeldMessage> list() throws IOException {
        return quarantine.list();
    }

    @Override
    public HeldMessage find(String id) throws IOException {
        return quarantine.find(id);
    }

    @Override
    public InputStream open(String id) throws IOException {
        return quarantine.open(id);
    }

    @Override
    public boolean release(String id) throws IOException {
        return quarantine.release(id);
    }

    @Override
    public boolean delete(String id) throws IOException {
        return quarantine.delete(id);
    }
}
