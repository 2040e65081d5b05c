package org.mailroom.transport.internal;

import java.util.List;
import java.util.Map;
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

    /**
     * Every protocol service; a listener serves the best one with its protocol name. DS keeps the
     * list sorted as ServiceReference.compareTo does: the highest ranking (then the lowest service
     * id) last.
     */
    @Reference(name = "protocol", service = Protocol.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Map.Entry<Map<String, Object>, Protocol>> protocols = List.of();
    private MinaListener listener;

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
            return ListenerSettings.from(config);
        } catch (ConfigException e) {
            Object file = properties.getOrDefault("felix.fileinstall.filename", properties.get(Constants.SERVICE_PID));
            LOG.error("Bad listener configuration in {}: {}; {}", file, e.getMessage(), outcome);
            throw e;
        }
    }

    /** The highest-ranked protocol service with the given name, or null. */
    Protocol protocol(String name) {
        List<Map.Entry<Map<String, Object>, Protocol>> all = protocols;
        for (int i = all.size() - 1; i >= 0; i--) {
            if (name.equalsIgnoreCase(String.valueOf(all.get(i).getKey().get(Protocol.NAME)))) {
                return all.get(i).getValue();
            }
        }
        return null;
    }
}
