package org.mailroom.transport.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mailroom.api.protocol.Protocol;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener per {@code etc/org.mailroom.listener-NAME.cfg}, with the shared TLS settings of
 * {@code etc/org.mailroom.tls.cfg}. The port stays bound while protocol bundles come and go: each
 * new connection goes to the protocol registered at that moment.
 */
@Component(name = "org.mailroom.listener", configurationPid = {"org.mailroom.tls", "org.mailroom.listener"},
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
public class ListenerComponent {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerComponent.class);

    private final List<ProtocolEntry> protocols = new CopyOnWriteArrayList<>();
    private MinaListener listener;

    private record ProtocolEntry(Protocol protocol, String name, int ranking, long serviceId) {
    }

    @Reference(service = Protocol.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindProtocol(Protocol protocol, Map<String, Object> properties) {
        protocols.add(new ProtocolEntry(protocol, String.valueOf(properties.get(Protocol.NAME)),
                properties.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0,
                (Long) properties.get(Constants.SERVICE_ID)));
    }

    void unbindProtocol(Protocol protocol) {
        protocols.removeIf(e -> e.protocol() == protocol);
    }

    @Activate
    void activate(ListenerConfig config, Map<String, Object> properties) throws Exception {
        ListenerSettings settings = settings(config, properties, "the listener is not started");
        listener = new MinaListener(settings, this::protocol);
    }

    @Modified
    void modified(ListenerConfig config, Map<String, Object> properties) throws Exception {
        ListenerSettings settings;
        try {
            settings = settings(config, properties, "the previous configuration stays in force");
        } catch (ConfigException e) {
            return;
        }
        try {
            listener.reconfigure(settings);
        } catch (Exception e) {
            LOG.error("Listener {}: the new configuration cannot be applied ({}); the previous one stays in force",
                    settings.name(), e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        if (listener != null) {
            Protocol protocol = protocol(listener.settings().protocol());
            listener.close(protocol != null ? protocol.refusal("server shutting down") : null);
            listener = null;
        }
    }

    private static ListenerSettings settings(ListenerConfig config, Map<String, Object> properties, String outcome) {
        try {
            return ListenerSettings.from(config, properties);
        } catch (ConfigException e) {
            Object file = properties.getOrDefault("felix.fileinstall.filename", properties.get(Constants.SERVICE_PID));
            LOG.error("Bad listener configuration in {}: {}; {}", file, e.getMessage(), outcome);
            throw e;
        }
    }

    /** The highest-ranked protocol service with the given name, or null. */
    Protocol protocol(String name) {
        ProtocolEntry best = null;
        for (ProtocolEntry e : protocols) {
            if (e.name().equalsIgnoreCase(name) && (best == null || e.ranking() > best.ranking()
                    || e.ranking() == best.ranking() && e.serviceId() < best.serviceId())) {
                best = e;
            }
        }
        return best == null ? null : best.protocol();
    }
}
