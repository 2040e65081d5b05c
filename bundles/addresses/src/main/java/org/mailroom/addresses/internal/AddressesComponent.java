package org.mailroom.addresses.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mailroom.api.address.Addresses;
import org.mailroom.api.address.Resolution;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.auth.UserNames;
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

/** DS shell around {@link Resolver}: configuration {@value #PID}, the user directory, the reload timer. */
@Component(
        service = Addresses.class,
        configurationPid = AddressesComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = AddressesComponent.Config.class)
public final class AddressesComponent implements Addresses {

    static final String PID = "org.mailroom.addresses";

    private static final Logger LOG = LoggerFactory.getLogger(AddressesComponent.class);

    @ObjectClassDefinition(
            name = "Mailroom addresses",
            description = "Local domains, aliases, recipient delimiter and postmaster (etc/org.mailroom.addresses.cfg)")
    public @interface Config {
        @AttributeDefinition(
                required = false,
                description =
                        "Local domains, comma-separated, in UTF-8 or A-labels; empty: localhost and the machine's names")
        String domains() default "";

        @AttributeDefinition(
                description = "Aliases file (Postfix virtual(5) format); a relative path is resolved against"
                        + " ${karaf.base}; a missing file has no aliases")
        String aliasesFile();

        @AttributeDefinition(
                required = false,
                description = "Characters that separate a local part from its extension (user+tag); empty: none")
        String recipientDelimiter() default "+";

        @AttributeDefinition(description = "User that postmaster reaches unless the aliases file names others")
        String postmaster() default Resolver.POSTMASTER;

        @AttributeDefinition(description = "How often to check the aliases file for changes, in seconds")
        int reloadIntervalSeconds() default 2;
    }

    /** Validated settings; {@link #from} throws naming the key of a bad value. */
    record Settings(Domains domains, Path aliasesFile, String delimiter, String postmaster, int reloadIntervalSeconds) {
        static Settings from(Config config) {
            String file = text(config.aliasesFile());
            if (file.isEmpty()) {
                throw new IllegalArgumentException("key aliasesFile: missing");
            }
            Path path;
            try {
                path = path(file);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("key aliasesFile: " + MailAddress.show(e.getMessage()));
            }
            String delimiter = text(config.recipientDelimiter());
            delimiter.chars().filter(c -> !MailAddress.isAtext(c)).findFirst().ifPresent(c -> {
                throw new IllegalArgumentException(
                        "key recipientDelimiter: " + MailAddress.describe(c) + " cannot be part of a local part");
            });
            String postmaster = text(config.postmaster());
            String problem = UserNames.problem(postmaster);
            if (problem != null) {
                throw new IllegalArgumentException("key postmaster: " + problem);
            }
            if (config.reloadIntervalSeconds() < 1) {
                throw new IllegalArgumentException(
                        "key reloadIntervalSeconds: must be positive, not " + config.reloadIntervalSeconds());
            }
            Domains domains; // last: the default looks the machine's names up
            try {
                domains = Domains.parse(config.domains());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key domains: " + e.getMessage());
            }
            return new Settings(domains, path, delimiter, postmaster, config.reloadIntervalSeconds());
        }

        private static String text(String value) {
            return value == null ? "" : value.strip();
        }
    }

    /** Everything one set of settings runs; replaced as a whole. */
    private record State(Settings settings, Resolver resolver, ScheduledExecutorService reloader) {}

    /** Looked up per call; named so that {@code directory.target} in the configuration can pin one. */
    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile UserDirectory directory;

    private volatile State state;

    /** A bad first configuration starts nothing, with the file and key in the log. */
    @Activate
    void activate(Config config, Map<String, Object> properties) {
        Settings s;
        try {
            s = Settings.from(config);
        } catch (IllegalArgumentException e) {
            String problem = "Bad configuration in " + file(properties) + ": " + e.getMessage();
            LOG.error("{}; the addresses service stays inactive", problem);
            throw new IllegalArgumentException(problem, e);
        }
        apply(s);
    }

    /** A bad edit keeps the previous settings (and aliases) in force. */
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
        if (!s.equals(state.settings())) {
            apply(s);
        }
    }

    private void apply(Settings s) {
        AliasesFile aliases =
                new AliasesFile(s.aliasesFile(), new AliasesParser(s.domains(), s.delimiter(), s.postmaster()));
        aliases.reloadIfChanged();
        ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailroom-aliases-file-reload");
            t.setDaemon(true);
            return t;
        });
        reloader.scheduleWithFixedDelay(
                () -> {
                    try {
                        aliases.reloadIfChanged();
                    } catch (RuntimeException e) {
                        LOG.error("Aliases file {}: reload failed: {}", aliases.file(), e.toString(), e);
                    }
                },
                s.reloadIntervalSeconds(),
                s.reloadIntervalSeconds(),
                TimeUnit.SECONDS);
        State previous = state;
        state = new State(
                s, new Resolver(s.domains(), s.delimiter(), s.postmaster(), aliases::table, () -> directory), reloader);
        if (previous != null) {
            stop(previous.reloader());
        }
        LOG.info(
                "Addresses: local domains {}, aliases file {}, recipient delimiter '{}', postmaster {}",
                s.domains().names(),
                s.aliasesFile(),
                s.delimiter(),
                s.postmaster());
    }

    @Deactivate
    void deactivate() {
        State s = state;
        if (s != null) {
            stop(s.reloader());
        }
    }

    private static void stop(ScheduledExecutorService reloader) {
        reloader.shutdownNow();
        try {
            if (!reloader.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Aliases file reload thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", "etc/" + PID + ".cfg");
    }

    static Path path(String file) {
        Path p = Paths.get(file);
        String base = System.getProperty("karaf.base");
        return p.isAbsolute() || base == null ? p : Paths.get(base).resolve(p);
    }

    @Override
    public Resolution resolve(String address) {
        return state.resolver().resolve(address);
    }

    @Override
    public boolean isAddressOf(String user, String address) {
        return state.resolver().isAddressOf(user, address);
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return state.resolver().isLocalDomain(domain);
    }
}
