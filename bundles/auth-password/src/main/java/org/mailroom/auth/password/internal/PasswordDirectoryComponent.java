package org.mailroom.auth.password.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.auth.PasswordScheme;
import org.mailroom.api.auth.UserDirectory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** DS shell around {@link PasswordDirectory}: configuration, scheme whiteboard, reload timer. */
@Component(
        service = {Authenticator.class, UserDirectory.class},
        configurationPid = PasswordDirectoryComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Authenticator.CREDENTIAL_TYPES + "=" + PasswordCredentials.TYPE)
@Designate(ocd = PasswordDirectoryComponent.Config.class)
public final class PasswordDirectoryComponent implements Authenticator, UserDirectory {

    public static final String PID = "org.mailroom.auth.password";

    private static final Logger LOG = LoggerFactory.getLogger(PasswordDirectoryComponent.class);

    @ObjectClassDefinition(
            name = "Mailroom password directory",
            description = "Users and password hashes from a Dovecot-compatible passwd-file.")
    public @interface Config {
        @AttributeDefinition(description = "Path of the passwd-file; relative paths are resolved against ${karaf.base}")
        String usersFile();

        @AttributeDefinition(description = "Scheme for new and changed passwords")
        String defaultScheme() default "ARGON2ID";

        @AttributeDefinition(description = "Scheme for stored hashes without a {SCHEME} prefix")
        String defaultVerificationScheme() default "CRYPT";

        @AttributeDefinition(description = "How often to check the file for changes, in seconds")
        int reloadIntervalSeconds() default 2;

        @AttributeDefinition(
                description =
                        "Users whose last successful (and, apart, last failed) login is cached; 0 turns the cache off")
        int cacheSize() default 10000;

        @AttributeDefinition(description = "How long a successful verification is reused, in seconds")
        int cacheTtlSeconds() default 3600;

        @AttributeDefinition(
                description = "How long a failed verification is reused, in seconds; at most cacheTtlSeconds")
        int cacheNegativeTtlSeconds() default 60;
    }

    private final SchemeRegistry schemes = new SchemeRegistry();
    private volatile PasswordDirectory directory;
    private ScheduledExecutorService reloader;

    @Reference(
            service = PasswordScheme.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindScheme(PasswordScheme scheme, Map<String, Object> properties) {
        schemes.add(scheme, properties);
        PasswordDirectory d = directory;
        if (d != null) {
            d.schemesChanged();
        }
    }

    void unbindScheme(PasswordScheme scheme, Map<String, Object> properties) {
        schemes.remove(scheme, properties);
    }

    /** Validated settings; the constructor throws naming the key of a bad value. */
    record Settings(
            Path usersFile,
            String defaultScheme,
            String defaultVerificationScheme,
            int reloadIntervalSeconds,
            int cacheSize,
            int cacheTtlSeconds,
            int cacheNegativeTtlSeconds) {
        static Settings from(Config config) {
            String usersFile =
                    config.usersFile() == null ? "" : config.usersFile().trim();
            if (usersFile.isEmpty()) {
                throw new IllegalArgumentException("key usersFile: missing");
            }
            if (config.reloadIntervalSeconds() < 1) {
                throw new IllegalArgumentException(
                        "key reloadIntervalSeconds: must be positive, not " + config.reloadIntervalSeconds());
            }
            String scheme =
                    config.defaultScheme() == null ? "" : config.defaultScheme().trim();
            if (scheme.isEmpty()) {
                throw new IllegalArgumentException("key defaultScheme: missing");
            }
            if (config.cacheSize() < 0) {
                throw new IllegalArgumentException("key cacheSize: must be 0 (off) or more, not " + config.cacheSize());
            }
            if (config.cacheTtlSeconds() < 0) {
                throw new IllegalArgumentException(
                        "key cacheTtlSeconds: must be 0 or more, not " + config.cacheTtlSeconds());
            }
            if (config.cacheNegativeTtlSeconds() < 0 || config.cacheNegativeTtlSeconds() > config.cacheTtlSeconds()) {
                throw new IllegalArgumentException(
                        "key cacheNegativeTtlSeconds: must be between 0 and cacheTtlSeconds ("
                                + config.cacheTtlSeconds() + "), not " + config.cacheNegativeTtlSeconds());
            }
            return new Settings(
                    resolve(usersFile),
                    scheme,
                    config.defaultVerificationScheme().trim(),
                    config.reloadIntervalSeconds(),
                    config.cacheSize(),
                    config.cacheTtlSeconds(),
                    config.cacheNegativeTtlSeconds());
        }
    }

    private Settings settings;

    /** A bad first configuration leaves the directory inactive, with the file and key in the log. */
    @Activate
    void activate(Config config, Map<String, Object> properties) {
        Settings s;
        try {
            s = Settings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the password directory stays inactive",
                    file(properties),
                    e.getMessage());
            throw e;
        }
        apply(s);
    }

    /** A bad edit keeps the previous settings (and the users) in force. */
    @Modified
    void modified(Config config, Map<String, Object> properties) {
        Settings s;
        try {
            s = Settings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous settings stay in force",
                    file(properties),
                    e.getMessage());
            return;
        }
        if (!s.equals(settings)) {
            stopReloader();
            apply(s);
            LOG.info(
                    "Password directory reconfigured: users file {}, default scheme {}",
                    s.usersFile(),
                    s.defaultScheme());
        }
    }

    private void apply(Settings s) {
        if (!schemes.known(s.defaultScheme())) {
            LOG.warn(
                    "Configuration {}: key defaultScheme: scheme {} is not known (yet); adding users fails until it appears",
                    PID,
                    s.defaultScheme());
        }
        AuthCache cache = new AuthCache(
                s.cacheSize(),
                TimeUnit.SECONDS.toNanos(s.cacheTtlSeconds()),
                TimeUnit.SECONDS.toNanos(s.cacheNegativeTtlSeconds()),
                System::nanoTime);
        PasswordDirectory d =
                new PasswordDirectory(s.usersFile(), schemes, s.defaultScheme(), s.defaultVerificationScheme(), cache);
        d.reloadIfChanged();
        directory = d;
        settings = s;
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailroom-users-file-reload");
            t.setDaemon(true);
            return t;
        });
        ex.scheduleWithFixedDelay(
                () -> {
                    try {
                        d.reloadIfChanged();
                    } catch (RuntimeException e) {
                        LOG.error("Users file {}: reload failed: {}", d.file(), e.toString(), e);
                    }
                },
                s.reloadIntervalSeconds(),
                s.reloadIntervalSeconds(),
                TimeUnit.SECONDS);
        reloader = ex;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        stopReloader();
    }

    private void stopReloader() {
        ScheduledExecutorService ex = reloader;
        reloader = null;
        if (ex != null) {
            ex.shutdownNow();
            try {
                if (!ex.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("Users file reload thread did not stop within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }

    static Path resolve(String usersFile) {
        Path p = Paths.get(usersFile);
        String base = System.getProperty("karaf.base");
        return p.isAbsolute() || base == null ? p : Paths.get(base).resolve(p);
    }

    @Override
    public AuthResult authenticate(Credentials credentials) {
        return directory.authenticate(credentials);
    }

    @Override
    public List<String> users() {
        return directory.users();
    }

    @Override
    public boolean exists(String user) {
        return directory.exists(user);
    }

    @Override
    public void add(String user, String password) throws IOException {
        directory.add(user, password);
    }

    @Override
    public void setPassword(String user, String password) throws IOException {
        directory.setPassword(user, password);
    }

    @Override
    public boolean remove(String user) throws IOException {
        return directory.remove(user);
    }
}
