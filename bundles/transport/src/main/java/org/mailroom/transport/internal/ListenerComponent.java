package org.mailroom.transport.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.api.tls.TlsEngineProvider;
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
 * {@code etc/org.mailroom.tls.cfg} ({@link TlsDefaults}) under its own keys. The port stays bound while protocol bundles come and go: each
 * new connection goes to the protocol registered at that moment.
 */
@Component(
        name = "org.mailroom.listener",
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
public class ListenerComponent {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerComponent.class);

    /**
     * Every protocol service; a listener serves the best one with its protocol name. DS keeps the
     * list sorted as ServiceReference.compareTo does: the highest ranking (then the lowest service
     * id) last.
     */
    @Reference(
            name = "protocol",
            service = Protocol.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Map.Entry<Map<String, Object>, Protocol>> protocols = List.of();

    /** TLS engines beside the JDK's, in the same order as {@link #protocols}. */
    @Reference(
            name = "engineProvider",
            service = TlsEngineProvider.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<TlsEngineProvider> engineProviders = List.of();

    @Reference
    TlsDefaults tlsDefaults;

    private final Runnable onTlsChange = this::tlsChanged;
    private volatile Map<String, Object> properties;
    private MinaListener listener;

    @Activate
    void activate(Map<String, Object> properties) throws Exception {
        this.properties = properties;
        ListenerSettings settings = settings(properties, "the listener is not started");
        listener = new MinaListener(settings, this::protocol, this::engineProvidersBestFirst);
        tlsDefaults.watch(onTlsChange);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        this.properties = properties;
        reconfigure();
    }

    private void tlsChanged() {
        reconfigure();
    }

    private synchronized void reconfigure() {
        ListenerSettings settings;
        try {
            settings = settings(properties, "the previous configuration stays in force");
        } catch (ConfigException e) {
            return;
        }
        try {
            listener.reconfigure(settings);
        } catch (Exception e) {
            LOG.error(
                    "Listener {}: the new configuration cannot be applied ({}); the previous one stays in force",
                    settings.name(),
                    e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        tlsDefaults.unwatch(onTlsChange);
        if (listener != null) {
            Protocol protocol = protocol(listener.settings().protocol());
            listener.close(protocol != null ? protocol.refusal("server shutting down") : null);
            listener = null;
        }
    }

    /** The listener's file over the shared TLS file, validated; a bad value is logged with its file and key. */
    private ListenerSettings settings(Map<String, Object> properties, String outcome) {
        Map<String, Object> merged = new HashMap<>(tlsDefaults.settings());
        merged.putAll(properties);
        try {
            return ListenerSettings.from(ListenerConfigs.of(merged));
        } catch (ConfigException e) {
            Object file = properties.getOrDefault("felix.fileinstall.filename", properties.get(Constants.SERVICE_PID));
            LOG.error("Bad listener configuration in {}: {}; {}", file, e.getMessage(), outcome);
            throw e;
        }
    }

    MinaListener listener() {
        return listener;
    }

    private List<TlsEngineProvider> engineProvidersBestFirst() {
        List<TlsEngineProvider> best = new ArrayList<>(engineProviders);
        Collections.reverse(best);
        return best;
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
