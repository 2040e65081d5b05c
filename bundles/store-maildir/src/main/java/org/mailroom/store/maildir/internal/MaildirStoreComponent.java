package org.mailroom.store.maildir.internal;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;
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

/** Registers the Maildir {@link MailStore}; configuration PID {@value #PID}. */
@Component(
        service = {MailStore.class, MaildirStoreComponent.class},
        configurationPid = MaildirStoreComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = MailStore.NAME + "=maildir")
@Designate(ocd = MaildirStoreComponent.Config.class)
public class MaildirStoreComponent implements MailStore {

    static final String PID = "org.mailroom.store.maildir";

    @ObjectClassDefinition(
            name = "Mailroom Maildir store",
            description = "Keeps each user's mail in <root>/<user>/{tmp,new,cur}, like Dovecot's maildir:<root>/%u")
    public @interface Config {

        @AttributeDefinition(description = "Mail root directory; a relative path is resolved against karaf.base")
        String root();

        @AttributeDefinition(
                required = false,
                description =
                        "Folder whose files are delivered, sorted by name, into every newly created mailbox; empty for none")
        String welcomeMessages() default "";

        @AttributeDefinition(description = "Force deliveries and deletions to disk before reporting success")
        boolean fsync() default true;

        @AttributeDefinition(
                required = false,
                description = "Write new messages encrypted by the message cipher (mailroom-store-crypt);"
                        + " older messages stay readable as they are")
        boolean encryptNewMessages() default false;

        @AttributeDefinition(
                required = false,
                description = "How long a delivery or read waits for the message cipher while it is away")
        int cipherWaitMillis() default 3000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStoreComponent.class);

    private volatile MaildirStore store;
    private final Encryption encryption = new Encryption();

    /** Optional: needed only while encryption is on, or to read messages written encrypted. */
    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindCipher")
    void bindCipher(MessageCipher cipher) {
        encryption.bind(cipher);
    }

    void unbindCipher(MessageCipher cipher) {
        encryption.unbind(cipher);
    }

    /** A bad first configuration leaves the store unregistered, with the file, key and reason in the log. */
    @Activate
    void activate(Config config, Map<String, Object> properties) {
        MaildirSettings settings;
        try {
            settings = MaildirSettings.from(config, properties);
        } catch (IllegalArgumentException e) {
            String problem = "Bad configuration in " + file(properties) + ": " + e.getMessage();
            LOG.error("{}; the Maildir store stays inactive", problem);
            throw new IllegalArgumentException(problem, e);
        }
        MaildirStore created = new MaildirStore(settings, encryption);
        created.completeInterruptedDeletions();
        store = created;
        LOG.info(
                "Maildir store serving {} (welcome messages: {}, fsync: {}, new messages encrypted: {})",
                settings.root(),
                settings.welcomeMessages() == null ? "none" : settings.welcomeMessages(),
                settings.fsync(),
                settings.encryptNewMessages());
    }

    /** A bad edit keeps the previous settings in force. */
    @Modified
    void modified(Config config, Map<String, Object> properties) {
        MaildirSettings settings;
        try {
            settings = MaildirSettings.from(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous settings stay in force",
                    file(properties),
                    e.getMessage());
            return;
        }
        boolean newRoot = !settings.root().equals(store.settings().root());
        store.configure(settings);
        if (newRoot) {
            store.completeInterruptedDeletions();
        }
        LOG.info(
                "Maildir store now serving {} (welcome messages: {}, fsync: {}, new messages encrypted: {})",
                settings.root(),
                settings.welcomeMessages() == null ? "none" : settings.welcomeMessages(),
                settings.fsync(),
                settings.encryptNewMessages());
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }

    MaildirStore store() {
        return store;
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

    @Override
    public boolean deliverOnce(String user, String key, InputStream message) throws StoreException {
        return store.deliverOnce(user, key, message);
    }
}
