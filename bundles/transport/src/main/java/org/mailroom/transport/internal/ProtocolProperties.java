package org.mailroom.transport.internal;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The keys of a listener configuration that the transport does not use itself: they are for the protocol. */
final class ProtocolProperties {

    private static final Set<String> TRANSPORT_KEYS = Set.of("name", "protocol", "host", "port", "tls",
            "idleTimeoutSeconds", "maxLineLength", "maxConnections", "maxConnectionsPerIp", "workerThreads",
            "unavailableReply");

    private ProtocolProperties() {
    }

    static Map<String, Object> of(Map<String, Object> raw) {
        Map<String, Object> result = new TreeMap<>();
        raw.forEach((key, value) -> {
            if (!TRANSPORT_KEYS.contains(key) && !key.startsWith("tls.") && !key.startsWith("service.")
                    && !key.startsWith("component.") && !key.startsWith("felix.") && !key.startsWith("osgi.")) {
                result.put(key, value);
            }
        });
        return Collections.unmodifiableMap(result);
    }
}
