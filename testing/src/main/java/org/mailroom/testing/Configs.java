package org.mailroom.testing;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/**
 * A component's configuration annotation as Declarative Services would hand it over: each
 * attribute answers the given value or, when none is given, its declared default.
 */
public final class Configs {

    private Configs() {}

    /**
     * @param values attribute values by method name ({@code "maxConnections"}, {@code "tls_protocols"})
     * @throws IllegalArgumentException for a name the annotation does not declare
     */
    public static <A> A of(Class<A> type, Map<String, ?> values) {
        for (String name : values.keySet()) {
            try {
                type.getMethod(name);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no attribute " + name);
            }
        }
        Map<String, Object> snapshot = new HashMap<>(values);
        return type.cast(Proxy.newProxyInstance(
                type.getClassLoader(),
                new Class<?>[] {type},
                (proxy, method, args) -> answer(type, snapshot, proxy, method, args)));
    }

    /** {@link #of(Class, Map)} with name, value pairs. */
    public static <A> A of(Class<A> type, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs");
        }
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return of(type, values);
    }

    private static Object answer(
            Class<?> type, Map<String, Object> values, Object proxy, Method method, Object[] args) {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> type.getSimpleName() + values;
            };
        }
        if (method.getName().equals("annotationType") && Annotation.class.isAssignableFrom(type)) {
            return type;
        }
        if (values.containsKey(method.getName())) {
            return values.get(method.getName());
        }
        Object fallback = method.getDefaultValue();
        if (fallback == null) {
            throw new IllegalStateException(
                    type.getSimpleName() + "." + method.getName() + " has no default and the test gave no value");
        }
        return fallback;
    }
}
