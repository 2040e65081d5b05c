package org.mailroom.auth.password.internal.scheme;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mailroom.api.auth.PasswordScheme;
import org.mailroom.testing.Configs;

/** Every scheme of the bundle by each of its names, built from the table with the default costs. */
public final class TestSchemes {

    private TestSchemes() {}

    public static Map<String, PasswordScheme> all() {
        Map<String, PasswordScheme> m = new LinkedHashMap<>();
        BuiltInSchemes.create(Map.of()).forEach((row, scheme) -> {
            for (String name : row.names()) {
                m.put(name, scheme);
            }
        });
        return m;
    }

    /** An annotation instance whose methods return their declared defaults, or the overrides given. */
    public static <A> A defaults(Class<A> type, Object... overrides) {
        return Configs.of(type, overrides);
    }
}
