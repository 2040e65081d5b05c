package org.mailroom.transport.internal;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The keys of a listener configuration that the transport does not use itself: they are for the protocol. */
final class ProtocolProperties {

    /** The listener's own keys: the attributes of {@link ListenerConfig} (tls_x is read as tls.x). */
    private static final Set<String> TRANSPORT_KEYS = Arrays.stream(ListenerConfig.class.getDeclaredMethods())
            .map(m -> m.getName().replace('_', '.')).collect(Collectors.toUnmodifiableSet());

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
