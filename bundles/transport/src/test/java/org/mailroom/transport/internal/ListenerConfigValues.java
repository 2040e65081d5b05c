package org.mailroom.transport.internal;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A ListenerConfig as ConfigAdmin would supply it: every attribute has its annotation default
 * unless the test sets it with {@link #set}, by method name ({@code "maxConnections"},
 * {@code "tls_protocols"}).
 */
final class ListenerConfigValues {

    private final Map<String, Object> values = new HashMap<>();

    ListenerConfigValues() {
        set("name", "test").set("protocol", "pop3").set("host", "127.0.0.1").set("port", 0).set("tls", "none")
                .set("unavailableReply", "-ERR [SYS/TEMP] Service temporarily unavailable, try again later");
    }

    /** Implicit or STARTTLS with a self-signed certificate generated into {@code dir}. */
    static ListenerConfigValues tls(String mode, Path dir) {
        return new ListenerConfigValues().set("tls", mode)
                .set("tls_certificate", dir.resolve("server.crt").toString())
                .set("tls_privateKey", dir.resolve("server.key").toString())
                .set("tls_selfSigned", true);
    }

    ListenerConfigValues set(String attribute, Object value) {
        try {
            ListenerConfig.class.getMethod(attribute);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("ListenerConfig has no attribute " + attribute);
        }
        values.put(attribute, value);
        return this;
    }

    ListenerConfig config() {
        Map<String, Object> snapshot = new HashMap<>(values);
        return (ListenerConfig) Proxy.newProxyInstance(ListenerConfig.class.getClassLoader(),
                new Class<?>[] {ListenerConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return ListenerConfig.class;
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "ListenerConfig" + snapshot;
                        };
                    }
                    if (snapshot.containsKey(method.getName())) {
                        return snapshot.get(method.getName());
                    }
                    Object fallback = method.getDefaultValue();
                    if (fallback == null) {
                        throw new IllegalStateException("ListenerConfig." + method.getName() + " has no default");
                    }
                    return fallback;
                });
    }

    ListenerSettings settings() {
        return ListenerSettings.from(config(), Map.of());
    }
}
