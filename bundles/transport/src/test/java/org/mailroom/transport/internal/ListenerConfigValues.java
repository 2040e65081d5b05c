package org.mailroom.transport.internal;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.mailroom.testing.Configs;

/**
 * A ListenerConfig as ConfigAdmin would supply it: every attribute has its annotation default
 * unless the test sets it with {@link #set}, by method name ({@code "maxConnections"},
 * {@code "tls_protocols"}).
 */
final class ListenerConfigValues {

    private final Map<String, Object> values = new HashMap<>();

    ListenerConfigValues() {
        set("name", "test")
                .set("protocol", "pop3")
                .set("host", "127.0.0.1")
                .set("port", 0)
                .set("tls", "none")
                .set("unavailableReply", "-ERR [SYS/TEMP] Service temporarily unavailable, try again later");
    }

    /** Implicit or STARTTLS with a self-signed certificate generated into {@code dir}. */
    static ListenerConfigValues tls(String mode, Path dir) {
        return new ListenerConfigValues()
                .set("tls", mode)
                .set("tls_certificate", dir.resolve("server.crt").toString())
                .set("tls_privateKey", dir.resolve("server.key").toString())
                .set("tls_selfSigned", true);
    }

    ListenerConfigValues set(String attribute, Object value) {
        values.put(attribute, value);
        Configs.of(ListenerConfig.class, values);
        return this;
    }

    ListenerConfig config() {
        return Configs.of(ListenerConfig.class, values);
    }

    ListenerSettings settings() {
        return ListenerSettings.from(config());
    }
}
