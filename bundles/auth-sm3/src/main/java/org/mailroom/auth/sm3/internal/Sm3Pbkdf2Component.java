package org.mailroom.auth.sm3.internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mailroom.api.auth.PasswordScheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code SM3-PBKDF2} scheme as a service. The rounds of new hashes come from
 * {@code etc/org.mailroom.auth.sm3.cfg}; a bad value there is logged with the file and key, and at
 * start no service is registered (so the password directory reports the scheme missing) while a
 * bad edit later keeps the previous rounds.
 */
@Component(
        service = PasswordScheme.class,
        configurationPid = Sm3Pbkdf2Component.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = PasswordScheme.NAME + "=SM3-PBKDF2")
public final class Sm3Pbkdf2Component implements PasswordScheme {

    static final String PID = "org.mailroom.auth.sm3";
    static final String ROUNDS = "sm3-pbkdf2.rounds";
    static final int DEFAULT_ROUNDS = 100_000;

    private static final Set<String> KEYS = Set.of(ROUNDS);
    private static final Logger LOG = LoggerFactory.getLogger(Sm3Pbkdf2Component.class);

    private volatile Sm3Pbkdf2Scheme scheme;

    @Activate
    void activate(Map<String, Object> properties) {
        try {
            scheme = fromSettings(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("Bad configuration in {}: {}; SM3-PBKDF2 is not registered", file(properties), e.getMessage());
            throw e;
        }
        warnAboutUnknownKeys(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            scheme = fromSettings(properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; SM3-PBKDF2 keeps {} rounds",
                    file(properties),
                    e.getMessage(),
                    scheme.rounds());
            return;
        }
        warnAboutUnknownKeys(properties);
        LOG.info("SM3-PBKDF2 writes new hashes with {} rounds ({})", scheme.rounds(), file(properties));
    }

    @Override
    public boolean verify(String password, String encoded) {
        return scheme.verify(password, encoded);
    }

    @Override
    public String encode(String password) {
        return scheme.encode(password);
    }

    static Sm3Pbkdf2Scheme fromSettings(Map<String, Object> properties) {
        Object v = properties.get(ROUNDS);
        if (v == null || v.toString().isBlank()) {
            return new Sm3Pbkdf2Scheme(DEFAULT_ROUNDS);
        }
        int rounds;
        try {
            rounds = Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("key " + ROUNDS + ": not a whole number: " + v);
        }
        try {
            return new Sm3Pbkdf2Scheme(rounds);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key " + ROUNDS + ": " + e.getMessage());
        }
    }

    private static void warnAboutUnknownKeys(Map<String, Object> properties) {
        Set<String> unknown = new TreeSet<>();
        for (String key : properties.keySet()) {
            if (!KEYS.contains(key) && !isFrameworkKey(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.warn("Configuration {}: unknown keys {} are ignored; the keys are {}", file(properties), unknown, KEYS);
        }
    }

    private static boolean isFrameworkKey(String key) {
        return key.equals(PasswordScheme.NAME)
                || key.startsWith("component.")
                || key.startsWith("service.")
                || key.startsWith("felix.")
                || key.startsWith("osgi.");
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }
}
