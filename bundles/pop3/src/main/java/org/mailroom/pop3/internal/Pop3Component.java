package org.mailroom.pop3.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.api.protocol.ProtocolSession;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.store.MailStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POP3 protocol service. The login service, SASL mechanisms and the store are dynamic
 * references: sessions look them up per command, so those bundles can be updated under load.
 */
@Component(
        service = Protocol.class,
        configurationPid = "org.mailroom.pop3",
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Protocol.NAME + "=pop3")
@Designate(ocd = Pop3Config.class)
public class Pop3Component implements Protocol, Pop3Services {

    /** How long a mechanism that went away is answered as temporarily unavailable, not unsupported. */
    static final long RECENTLY_GONE_NANOS = TimeUnit.MINUTES.toNanos(10);

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Component.class);

    // Dynamic greedy references, named so that etc/org.mailroom.pop3.cfg can pin one with
    // login.target, mechanism.target or store.target (an LDAP filter). DS keeps the lists sorted
    // as ServiceReference.compareTo does: the highest ranking (then the lowest service id) last.

    @Reference(
            name = "login",
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile LoginService login;

    @Reference(
            name = "mechanism",
            service = SaslMechanism.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<SaslMechanism> mechanisms = List.of();

    /**
     * Names of mechanisms that went away lately (their bundle being updated or replaced), with
     * when: told by comparing what each look-up finds with what the one before found.
     */
    private final Map<String, Long> goneAt = new ConcurrentHashMap<>();

    private volatile Set<String> lastNames = Set.of();

    @Override
    public boolean recentlyGone(String name) {
        mechanisms();
        Long at = goneAt.get(name.toUpperCase(Locale.ROOT));
        return at != null && System.nanoTime() - at < RECENTLY_GONE_NANOS;
    }

    @Reference(
            name = "store",
            service = MailStore.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<MailStore> stores = List.of();

    private final MailboxLocks locks = new MailboxLocks();
    private final LoginHistory logins = new LoginHistory();
    private final Set<Pop3Session> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean active = true;
    private volatile Pop3Settings settings = Pop3Settings.DEFAULTS;

    @Activate
    void activate(Pop3Config config, Map<String, Object> properties) {
        try {
            settings = Pop3Settings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("Bad POP3 configuration in {}: {}; POP3 is not started", file(properties), e.getMessage());
            throw e;
        }
    }

    @Modified
    void configure(Pop3Config config, Map<String, Object> properties) {
        try {
            settings = Pop3Settings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad POP3 configuration in {}: {}; the previous settings stay in force",
                    file(properties),
                    e.getMessage());
        }
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", "org.mailroom.pop3");
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (Pop3Session session : sessions) {
            session.shutdown();
        }
        sessions.clear();
    }

    @Override
    public ProtocolSession open(Connection connection) {
        Pop3Session session = new Pop3Session(connection, this, settings, locks, logins, System::currentTimeMillis);
        session.whenClosed(() -> sessions.remove(session));
        sessions.add(session);
        session.greet();
        if (!active) {
            // Opened while this component is being deactivated: its references are going away.
            session.shutdown();
        }
        return session;
    }

    @Override
    public String refusal(String reason) {
        return Pop3Replies.refusal(reason);
    }

    // ---- Pop3Services

    @Override
    public LoginService login() {
        return login;
    }

    @Override
    public MailStore store() {
        List<MailStore> all = stores;
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The mechanisms registered now, best first, one per name. */
    @Override
    public List<SaslMechanism> mechanisms() {
        List<SaslMechanism> all = mechanisms;
        List<SaslMechanism> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (names.add(all.get(i).name().toUpperCase(Locale.ROOT))) {
                result.add(all.get(i));
            }
        }
        if (!names.equals(lastNames)) {
            long now = System.nanoTime();
            for (String before : lastNames) {
                if (!names.contains(before)) {
                    goneAt.put(before, now);
                }
            }
            lastNames = Set.copyOf(names);
        }
        return result;
    }
}
