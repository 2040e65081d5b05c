package org.mailroom.pop3.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.api.protocol.ProtocolSession;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.store.MailStore;
import org.osgi.framework.Constants;
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
@Component(configurationPid = "org.mailroom.pop3", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Protocol.NAME + "=pop3")
@Designate(ocd = Pop3Config.class)
public class Pop3Component implements Protocol, Pop3Services {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Component.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile LoginService login;
    private final List<Ranked<SaslMechanism>> mechanisms = new CopyOnWriteArrayList<>();
    private final List<Ranked<MailStore>> stores = new CopyOnWriteArrayList<>();
    private final MailboxLocks locks = new MailboxLocks();
    private final LoginHistory logins = new LoginHistory();
    private final Set<Pop3Session> sessions = ConcurrentHashMap.newKeySet();
    private volatile Pop3Settings settings = Pop3Settings.DEFAULTS;

    private record Ranked<T>(T service, int ranking, long id, Map<String, Object> properties) {
        static final Comparator<Ranked<?>> BEST_FIRST = Comparator.<Ranked<?>>comparingInt(r -> -r.ranking())
                .thenComparingLong(Ranked::id);

        static <T> Ranked<T> of(T service, Map<String, Object> properties) {
            Object ranking = properties.get(Constants.SERVICE_RANKING);
            return new Ranked<>(service, ranking instanceof Integer r ? r : 0,
                    (Long) properties.get(Constants.SERVICE_ID), properties);
        }
    }

    @Activate
    @Modified
    void configure(Pop3Config config, Map<String, Object> properties) {
        try {
            settings = Pop3Settings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("Bad POP3 configuration in {}: {}; the previous settings stay in force",
                    properties.getOrDefault("felix.fileinstall.filename", "org.mailroom.pop3"), e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
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
        List<Ranked<MailStore>> all = sorted(stores);
        return all.isEmpty() ? null : all.get(0).service();
    }

    @Override
    public List<SaslMechanism> mechanisms() {
        List<SaslMechanism> result = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (Ranked<SaslMechanism> r : sorted(mechanisms)) {
            if (names.add(r.service().name().toUpperCase(java.util.Locale.ROOT))) {
                result.add(r.service());
            }
        }
        return result;
    }

    private static <T> List<Ranked<T>> sorted(List<Ranked<T>> list) {
        List<Ranked<T>> copy = new ArrayList<>(list);
        copy.sort(Ranked.BEST_FIRST);
        return copy;
    }

    // ---- dynamic references

    @Reference(service = SaslMechanism.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindMechanism(SaslMechanism service, Map<String, Object> properties) {
        mechanisms.add(Ranked.of(service, properties));
    }

    void unbindMechanism(SaslMechanism service) {
        mechanisms.removeIf(r -> r.service() == service);
    }

    @Reference(service = MailStore.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(MailStore service, Map<String, Object> properties) {
        stores.add(Ranked.of(service, properties));
    }

    void unbindStore(MailStore service) {
        stores.removeIf(r -> r.service() == service);
    }
}
