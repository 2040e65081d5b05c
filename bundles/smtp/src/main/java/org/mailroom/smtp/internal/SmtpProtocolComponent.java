package org.mailroom.smtp.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.mailroom.api.address.Addresses;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.api.protocol.ProtocolSession;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.spool.Spool;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the SMTP, submission and LMTP protocol services share: the settings of
 * {@code etc/org.mailroom.smtp.cfg} and dynamic references to the spool, the address service,
 * the login service and the SASL mechanisms, looked up per command by the sessions. The
 * subclasses only say which {@link Mode} they serve (bnd reads these inherited annotations).
 */
abstract class SmtpProtocolComponent implements Protocol, SmtpServices {

    /** How long a mechanism that went away is answered as temporarily unavailable, not unsupported. */
    static final long RECENTLY_GONE_NANOS = TimeUnit.MINUTES.toNanos(10);

    static final String PID = "org.mailroom.smtp";
    private static final Logger LOG = LoggerFactory.getLogger(SmtpProtocolComponent.class);

    // Named so that etc/org.mailroom.smtp.cfg can pin one with spool.target, addresses.target,
    // login.target or mechanism.target. DS keeps the list sorted with the highest ranking last.

    @Reference(
            name = "spool",
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Spool spool;

    @Reference(
            name = "addresses",
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Addresses addresses;

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
    volatile List<SaslMechanism> mechanismList = List.of();

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

    private final Set<SmtpSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean active = true;
    private volatile SmtpSettings settings;

    abstract Mode mode();

    @Activate
    void activate(SmtpConfig config, Map<String, Object> properties) {
        try {
            settings = SmtpSettings.from(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the {} protocol is not started",
                    file(properties),
                    e.getMessage(),
                    mode().protocol);
            throw e;
        }
    }

    /** A bad edit keeps the previous settings; new sessions get the new ones. */
    @Modified
    void modified(SmtpConfig config, Map<String, Object> properties) {
        try {
            settings = SmtpSettings.from(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous {} settings stay in force",
                    file(properties),
                    e.getMessage(),
                    mode().protocol);
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (SmtpSession session : sessions) {
            session.shutdown();
        }
        sessions.clear();
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }

    SmtpSettings settings() {
        return settings;
    }

    @Override
    public ProtocolSession open(Connection connection) {
        SmtpSession session = new SmtpSession(mode(), connection, this, settings);
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
        return Reply.of(421, "4.3.2", settings.hostname() + " " + reason).toString();
    }

    // ---- SmtpServices

    @Override
    public Spool spool() {
        return spool;
    }

    @Override
    public Addresses addresses() {
        return addresses;
    }

    @Override
    public LoginService login() {
        return login;
    }

    /** The mechanisms registered now, best first, one per name. */
    @Override
    public List<SaslMechanism> mechanisms() {
        List<SaslMechanism> all = mechanismList;
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
