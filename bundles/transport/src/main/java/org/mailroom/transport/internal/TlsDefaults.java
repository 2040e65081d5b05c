package org.mailroom.transport.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;

/**
 * The TLS settings every listener shares ({@code etc/org.mailroom.tls.cfg}), with their own
 * PID rather than as a second PID of each listener: with a factory and a singleton PID on one
 * component, SCR did not start the listeners when the singleton arrived after the factory
 * configurations, as it does when a feature install copies the files into etc/ together.
 * Listeners watch it and apply an edit in place.
 */
@Component(name = "org.mailroom.tls", configurationPolicy = ConfigurationPolicy.REQUIRE, service = TlsDefaults.class)
public class TlsDefaults {

    private final List<Runnable> watchers = new CopyOnWriteArrayList<>();
    private volatile Map<String, Object> settings = Map.of();

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        Map<String, Object> tls = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith("tls.")) {
                tls.put(key, value);
            }
        });
        settings = Map.copyOf(tls);
        watchers.forEach(Runnable::run);
    }

    /** The {@code tls.*} keys of the shared file. */
    Map<String, Object> settings() {
        return settings;
    }

    void watch(Runnable onChange) {
        watchers.add(onChange);
    }

    void unwatch(Runnable onChange) {
        watchers.remove(onChange);
    }
}
