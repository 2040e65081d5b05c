package org.mailroom.transport.internal;

import java.lang.reflect.Method;
import java.util.Map;
import org.osgi.util.converter.ConversionException;
import org.osgi.util.converter.Converters;

/**
 * Reads a listener's merged properties as a {@link ListenerConfig}, the way DS would (the OSGi
 * Converter maps {@code tls_certificate()} to the key {@code tls.certificate}, defaults included),
 * but with every value converted up front so that a wrong type names its key.
 */
final class ListenerConfigs {

    private ListenerConfigs() {}

    static ListenerConfig of(Map<String, Object> properties) {
        ListenerConfig config =
                Converters.standardConverter().convert(properties).to(ListenerConfig.class);
        for (Method m : ListenerConfig.class.getDeclaredMethods()) {
            try {
                m.invoke(config);
            } catch (ReflectiveOperationException e) {
                Throwable cause = e.getCause();
                if (cause instanceof ConversionException) {
                    String key = m.getName().replace('_', '.');
                    throw new ConfigException(
                            key, "is not a valid " + m.getReturnType().getSimpleName() + ": " + properties.get(key));
                }
                throw new IllegalStateException(e);
            }
        }
        return config;
    }
}
