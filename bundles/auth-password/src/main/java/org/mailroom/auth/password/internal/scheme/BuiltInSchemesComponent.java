package org.mailroom.auth.password.internal.scheme;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mailroom.api.auth.PasswordScheme;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one {@link PasswordScheme} service per row of {@link BuiltInSchemes}, named by
 * {@link PasswordScheme#NAME} like a scheme of any other bundle. The hash costs of new hashes come
 * from {@code etc/org.mailroom.auth.password.schemes.cfg}; an edit swaps the scheme behind each
 * service, so the services stay registered.
 */
@Component(configurationPid = BuiltInSchemesComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
// bnd sees only DS-declared services; this keeps the manifest saying that the bundle provides schemes.
@Capability(
        namespace = "osgi.service",
        attribute = "objectClass:List<String>=org.mailroom.api.auth.PasswordScheme",
        uses = PasswordScheme.class)
public final class BuiltInSchemesComponent {

    public static final String PID = "org.mailroom.auth.password.schemes";

    private static final Logger LOG = LoggerFactory.getLogger(BuiltInSchemesComponent.class);

    /** Forwards to the scheme built from the current costs. */
    static final class Swappable implements PasswordScheme {
        private volatile PasswordScheme current;

        Swappable(PasswordScheme initial) {
            current = initial;
        }

        @Override
        public boolean verify(String password, String encoded) {
            return current.verify(password, encoded);
        }

        @Override
        public String encode(String password) {
            return current.encode(password);
        }
    }

    private final Map<BuiltInSchemes.Scheme, Swappable> services = new LinkedHashMap<>();
    private final List<ServiceRegistration<PasswordScheme>> registrations = new ArrayList<>();

    /** A bad first configuration registers no scheme, with the file, key and reason in the log. */
    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        Map<BuiltInSchemes.Scheme, PasswordScheme> schemes;
        try {
            schemes = BuiltInSchemes.create(properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; no built-in password scheme is registered",
                    file(properties),
                    e.getMessage());
            throw e;
        }
        warnAboutUnknownKeys(properties);
        try {
            schemes.forEach((row, scheme) -> {
                Swappable service = new Swappable(scheme);
                services.put(row, service);
                registrations.add(context.registerService(PasswordScheme.class, service, serviceProperties(row)));
            });
        } catch (RuntimeException e) {
            deactivate();
            throw e;
        }
    }

    /** A bad edit keeps the previous costs in force. */
    @Modified
    void modified(Map<String, Object> properties) {
        Map<BuiltInSchemes.Scheme, PasswordScheme> schemes;
        try {
            schemes = BuiltInSchemes.create(properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous hash costs stay in force",
                    file(properties),
                    e.getMessage());
            return;
        }
        warnAboutUnknownKeys(properties);
        schemes.forEach((row, scheme) -> services.get(row).current = scheme);
        LOG.info("Password scheme hash costs reconfigured from {}", file(properties));
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<PasswordScheme> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGoneWithTheBundle) {
                LOG.debug("Password scheme service already unregistered");
            }
        }
        registrations.clear();
        services.clear();
    }

    private static Dictionary<String, Object> serviceProperties(BuiltInSchemes.Scheme row) {
        Dictionary<String, Object> p = new Hashtable<>();
        p.put(PasswordScheme.NAME, row.names().toArray(new String[0]));
        return p;
    }

    private static void warnAboutUnknownKeys(Map<String, Object> properties) {
        List<String> unknown = BuiltInSchemes.unknownKeys(properties);
        if (!unknown.isEmpty()) {
            LOG.warn(
                    "Configuration {}: unknown keys {} are ignored; the keys are {}",
                    file(properties),
                    unknown,
                    BuiltInSchemes.keys());
        }
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }
}
