package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers the Maildir {@link MailStore}; configuration PID {@value #PID}. */
@Component(service = MailStore.class, configurationPid = MaildirStoreComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = MailStore.NAME + "=maildir")
@Designate(ocd = MaildirStoreComponent.Config.class)
public class MaildirStoreComponent implements MailStore {

    static final String PID = "org.mailroom.store.maildir";

    @ObjectClassDefinition(name = "Mailroom Maildir store",
            description = "Keeps each user's mail in <root>/<user>/{tmp,new,cur}, like Dovecot's maildir:<root>/%u")
    public @interface Config {

        @AttributeDefinition(description = "Mail root directory; a relative path is resolved against karaf.base")
        String root();

        @AttributeDefinition(required = false,
                description = "Folder whose files are delivered, sorted by name, into every newly created mailbox; empty for none")
        String welcomeMessages() default "";

        @AttributeDefinition(description = "Force deliveries and deletions to disk before reporting success")
        boolean fsync() default true;
    }

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStoreComponent.class);

    private volatile MaildirStore store;

    @Activate
    void activate(Config config, Map<String, Object> properties) {
        MaildirSettings settings = settings(config, properties);
        if (settings == null) {
            throw new IllegalArgumentException("invalid configuration " + PID + " (see the log)");
        }
        MaildirStore created = new MaildirStore(settings);
        created.completeInterruptedDeletions();
        store = created;
        LOG.info("Maildir store serving {} (welcome messages: {}, fsync: {})", settings.root(),
                settings.welcomeMessages() == null ? "none" : settings.welcomeMessages(), settings.fsync());
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        MaildirSettings settings = settings(config, properties);
        if (settings == null) {
            LOG.error("Keeping the previous Maildir store settings ({})", store.settings());
            return;
        }
        boolean newRoot = !settings.root().equals(store.settings().root());
        store.configure(settings);
        if (newRoot) {
            store.completeInterruptedDeletions();
        }
        LOG.info("Maildir store now serving {} (welcome messages: {}, fsync: {})", settings.root(),
                settings.welcomeMessages() == null ? "none" : settings.welcomeMessages(), settings.fsync());
    }

    /** The validated settings, or null after logging why the configuration is unusable. */
    static MaildirSettings settings(Config config, Map<String, Object> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        String source = file == null ? "configuration " + PID : file + " (" + PID + ")";
        Path root = path(source, "root", config.root());
        if (root == null) {
            return null;
        }
        try {
            Files.createDirectories(root);
        } catch (IOException | SecurityException e) {
            LOG.error("{}: key 'root': cannot create {}: {}", source, root, e.toString());
            return null;
        }
        Path welcome = null;
        String welcomeValue = config.welcomeMessages();
        if (welcomeValue != null && !welcomeValue.isBlank()) {
            welcome = path(source, "welcomeMessages", welcomeValue);
            if (welcome == null) {
                return null;
            }
            if (!Files.isDirectory(welcome)) {
                LOG.error("{}: key 'welcomeMessages': {} is not a directory", source, welcome);
                return null;
            }
        }
        return new MaildirSettings(root, welcome, config.fsync());
    }

    private static Path path(String source, String key, String value) {
        if (value == null || value.isBlank()) {
            LOG.error("{}: key '{}': missing; it must name a directory", source, key);
            return null;
        }
        try {
            Path path = Path.of(value.trim());
            if (!path.isAbsolute()) {
                String base = System.getProperty("karaf.base");
                path = base == null ? path.toAbsolutePath() : Path.of(base).resolve(path);
            }
            return path.toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            LOG.error("{}: key '{}': invalid path '{}': {}", source, key, value, e.getMessage());
            return null;
        }
    }

    @Override
    public List<MessageInfo> list(String user) throws StoreException {
        return store.list(user);
    }

    @Override
    public InputStream open(String user, String uid) throws StoreException {
        return store.open(user, uid);
    }

    @Override
    public int delete(String user, Collection<String> uids) throws StoreException {
        return store.delete(user, uids);
    }

    @Override
    public String deliver(String user, InputStream message) throws StoreException {
        return store.deliver(user, message);
    }
}
