package org.mailroom.auth.password.internal.scheme;

import java.util.LinkedHashMap;
import java.util.Map;

import org.mailroom.api.auth.PasswordScheme;
import org.mailroom.testing.Configs;

/** Every scheme of the bundle by name, built the way the components build them by default. */
public final class TestSchemes {

    private TestSchemes() {
    }

    public static Map<String, PasswordScheme> all() {
        Map<String, PasswordScheme> m = new LinkedHashMap<>();
        m.put("ARGON2ID", new Argon2idSchemeComponent());
        m.put("ARGON2I", new Argon2iSchemeComponent());
        m.put("BLF-CRYPT", new BlfCryptSchemeComponent());
        m.put("SHA512-CRYPT", new Sha512CryptSchemeComponent());
        m.put("SHA256-CRYPT", new Sha256CryptSchemeComponent());
        m.put("PBKDF2", new Pbkdf2SchemeComponent());
        m.put("CRYPT", new CryptSchemeComponent());
        m.put("MD5-CRYPT", new Md5CryptSchemeComponent());
        m.put("SSHA", new SshaSchemeComponent());
        m.put("SSHA256", new Ssha256SchemeComponent());
        m.put("SSHA512", new Ssha512SchemeComponent());
        m.put("SHA", new ShaSchemeComponent());
        m.put("SHA256", new Sha256SchemeComponent());
        m.put("SHA512", new Sha512SchemeComponent());
        m.put("PLAIN", new PlainSchemeComponent());
        m.put("CLEARTEXT", m.get("PLAIN"));
        m.put("CLEAR", m.get("PLAIN"));
        for (PasswordScheme s : m.values()) {
            configureDefaults(s);
        }
        return m;
    }

    /** Activates a configurable component with its metatype defaults, as DS does without a configuration. */
    static void configureDefaults(PasswordScheme s) {
        if (s instanceof Argon2idSchemeComponent c) {
            c.configure(defaults(Argon2idSchemeComponent.Config.class));
        } else if (s instanceof Argon2iSchemeComponent c) {
            c.configure(defaults(Argon2iSchemeComponent.Config.class));
        } else if (s instanceof BlfCryptSchemeComponent c) {
            c.configure(defaults(BlfCryptSchemeComponent.Config.class));
        } else if (s instanceof Sha512CryptSchemeComponent c) {
            c.configure(defaults(Sha512CryptSchemeComponent.Config.class));
        } else if (s instanceof Sha256CryptSchemeComponent c) {
            c.configure(defaults(Sha256CryptSchemeComponent.Config.class));
        } else if (s instanceof Pbkdf2SchemeComponent c) {
            c.configure(defaults(Pbkdf2SchemeComponent.Config.class));
        } else if (s instanceof CryptSchemeComponent c) {
            c.configure(defaults(CryptSchemeComponent.Config.class));
        }
    }

    /** An annotation instance whose methods return their declared defaults, or the overrides given. */
    public static <A> A defaults(Class<A> type, Object... overrides) {
        return Configs.of(type, overrides);
    }

}
