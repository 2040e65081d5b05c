package org.mailroom.auth.password.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mailroom.api.auth.PasswordScheme;
import org.mailroom.auth.password.internal.scheme.BuiltInSchemes;

/**
 * The password schemes available right now, by upper-case name. Several providers of one name
 * are ordered by service ranking (highest first), then by service id (lowest first).
 */
public final class SchemeRegistry {

    private record Provider(PasswordScheme scheme, int ranking, long id) {}

    private static final Comparator<Provider> ORDER =
            Comparator.comparingInt(Provider::ranking).reversed().thenComparingLong(Provider::id);

    private final Map<String, List<Provider>> byName = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    public void add(PasswordScheme scheme, Map<String, ?> properties) {
        Provider p = new Provider(
                scheme, intProperty(properties.get("service.ranking")), longProperty(properties.get("service.id")));
        for (String name : names(properties)) {
            seen.add(name);
            byName.compute(name, (k, list) -> {
                List<Provider> copy = list == null ? new ArrayList<>() : new ArrayList<>(list);
                copy.add(p);
                copy.sort(ORDER);
                return List.copyOf(copy);
            });
        }
    }

    public void remove(PasswordScheme scheme, Map<String, ?> properties) {
        for (String name : names(properties)) {
            byName.computeIfPresent(name, (k, list) -> {
                List<Provider> copy = new ArrayList<>(list);
                copy.removeIf(p -> p.scheme() == scheme);
                return copy.isEmpty() ? null : List.copyOf(copy);
            });
        }
    }

    /** @return the scheme, or null if no provider is registered right now */
    public PasswordScheme get(String name) {
        List<Provider> list = byName.get(name.toUpperCase(Locale.ROOT));
        return list == null || list.isEmpty() ? null : list.get(0).scheme();
    }

    /** Whether a passwd-file may use this name: registered now, earlier, or built in. */
    public boolean known(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return byName.containsKey(n) || seen.contains(n) || BuiltInSchemes.NAMES.contains(n);
    }

    static List<String> names(Map<String, ?> properties) {
        Object v = properties.get(PasswordScheme.NAME);
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            out.add(s.toUpperCase(Locale.ROOT));
        } else if (v instanceof String[] a) {
            for (String s : a) {
                out.add(s.toUpperCase(Locale.ROOT));
            }
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                out.add(String.valueOf(o).toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static int intProperty(Object v) {
        return v instanceof Integer i ? i : 0;
    }

    private static long longProperty(Object v) {
        return v instanceof Number n ? n.longValue() : Long.MAX_VALUE;
    }
}
