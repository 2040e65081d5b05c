package org.mailroom.auth.password.internal.scheme;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.auth.PasswordScheme;
import org.mailroom.auth.password.internal.PasswordDirectory;
import org.mailroom.auth.password.internal.SchemeRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The component that registers the table's schemes, and its file etc/org.mailroom.auth.password.schemes.cfg. */
public class BuiltInSchemesComponentTest {

    private static final String FILE = "file:/opt/mailroom/etc/org.mailroom.auth.password.schemes.cfg";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /**
     * A bundle context whose service registry is a {@link SchemeRegistry}, as the password
     * directory component's dynamic reference keeps it.
     */
    static final class Services {
        final SchemeRegistry registry = new SchemeRegistry();
        final Map<PasswordScheme, Map<String, Object>> registered = new LinkedHashMap<>();
        private long nextId = 1;

        BundleContext context() {
            return (BundleContext) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                        if (!method.getName().equals("registerService") || !(args[0] instanceof Class<?>)) {
                            throw new UnsupportedOperationException(method.toString());
                        }
                        return register((PasswordScheme) args[1], (Dictionary<?, ?>) args[2]);
                    });
        }

        void register(PasswordScheme scheme, Map<String, Object> properties) {
            Map<String, Object> p = new HashMap<>(properties);
            p.put("service.id", nextId++);
            registered.put(scheme, p);
            registry.add(scheme, p);
        }

        private ServiceRegistration<?> register(PasswordScheme scheme, Dictionary<?, ?> dictionary) {
            Map<String, Object> properties = new HashMap<>();
            for (Object key : Collections.list(dictionary.keys())) {
                properties.put((String) key, dictionary.get(key));
            }
            register(scheme, properties);
            return (ServiceRegistration<?>) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                        if (!method.getName().equals("unregister")) {
                            throw new UnsupportedOperationException(method.toString());
                        }
                        Map<String, Object> p = registered.remove(scheme);
                        if (p == null) {
                            throw new IllegalStateException("already unregistered");
                        }
                        registry.remove(scheme, p);
                        return null;
                    });
        }

        PasswordScheme byName(String name) {
            return registered.entrySet().stream()
                    .filter(e -> List.of((String[]) e.getValue().get(PasswordScheme.NAME))
                            .contains(name))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElseThrow();
        }
    }

    /** Collects what is logged (slf4j-simple writes to the current System.err) while it is open. */
    static final class Log implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

        Log() {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        }

        String text() {
            return captured.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setErr(original);
            original.print(text());
        }
    }

    private static Map<String, Object> config(String... keysAndValues) {
        Map<String, Object> p = new HashMap<>();
        p.put("service.pid", BuiltInSchemesComponent.PID);
        p.put("component.name", BuiltInSchemesComponent.class.getName());
        p.put("component.id", 7L);
        p.put("felix.fileinstall.filename", FILE);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }

    @Test(timeout = 60_000)
    public void registersOneServicePerRowUnderAllItsNames() {
        Services services = new Services();
        BuiltInSchemesComponent c = new BuiltInSchemesComponent();
        c.activate(services.context(), Map.of());
        assertEquals(BuiltInSchemes.ALL.size(), services.registered.size());
        List<List<String>> names = new ArrayList<>();
        for (Map<String, Object> p : services.registered.values()) {
            names.add(List.of((String[]) p.get(PasswordScheme.NAME)));
        }
        assertEquals(
                BuiltInSchemes.ALL.stream().map(BuiltInSchemes.Scheme::names).toList(), names);
        for (String name : BuiltInSchemes.NAMES) {
            PasswordScheme s = services.registry.get(name);
            assertTrue(name, s.verify("pw", s.encode("pw")));
        }
        assertSame(services.registry.get("PLAIN"), services.registry.get("CLEAR"));
        c.deactivate();
        assertTrue(services.registered.isEmpty());
        assertEquals(null, services.registry.get("ARGON2ID"));
    }

    @Test(timeout = 60_000)
    public void theDirectoryFollowsTheServicesAcrossARefreshAndUsesOtherBundlesSchemes() throws IOException {
        Services services = new Services();
        PasswordScheme sm3 = new PasswordScheme() {
            public boolean verify(String password, String encoded) {
                return ("h" + password).equals(encoded);
            }

            public String encode(String password) {
                return "h" + password;
            }
        };
        services.register(sm3, Map.of(PasswordScheme.NAME, "SM3"));
        Path file = tmp.getRoot().toPath().resolve("users");
        Files.write(
                file,
                List.of(
                        "alice:{SHA1}5en6G6MezRroT3XKqkdPOmY/BfQ=",
                        "bob:{CLEAR}b-pw",
                        "carol:{BLF-CRYPT}$2y$05$UggfRX8ytRrvUgEgROfc9uLfyjBJC/cm4hLZFHiMcewS.PbcQH27u",
                        "dave:{SM3}hd-pw"));
        PasswordDirectory d = new PasswordDirectory(file, services.registry, "ARGON2ID", "CRYPT");
        assertTrue("built-in names are known before their services appear", d.reloadIfChanged());
        assertEquals(AuthResult.Status.UNAVAILABLE, login(d, "alice", "secret"));
        assertEquals(AuthResult.Status.SUCCESS, login(d, "dave", "d-pw"));

        BuiltInSchemesComponent first = new BuiltInSchemesComponent();
        first.activate(services.context(), config());
        assertEverybodyLogsIn(d);
        first.deactivate();
        assertEquals("bundle stopped: temporary failure", AuthResult.Status.UNAVAILABLE, login(d, "carol", "secret"));
        assertEquals(AuthResult.Status.SUCCESS, login(d, "dave", "d-pw"));

        BuiltInSchemesComponent afterRefresh = new BuiltInSchemesComponent();
        afterRefresh.activate(services.context(), config());
        assertEverybodyLogsIn(d);
        d.add("erin", "e-pw");
        assertTrue(Files.readString(file).contains("erin:{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$"));
        assertEquals(AuthResult.Status.SUCCESS, login(d, "erin", "e-pw"));
        afterRefresh.deactivate();
    }

    private static void assertEverybodyLogsIn(PasswordDirectory d) {
        assertEquals(AuthResult.Status.SUCCESS, login(d, "alice", "secret"));
        assertEquals(AuthResult.Status.SUCCESS, login(d, "bob", "b-pw"));
        assertEquals(AuthResult.Status.SUCCESS, login(d, "carol", "secret"));
        assertEquals(AuthResult.Status.SUCCESS, login(d, "dave", "d-pw"));
        assertEquals(AuthResult.Status.INVALID, login(d, "carol", "Secret"));
    }

    private static AuthResult.Status login(PasswordDirectory d, String user, String password) {
        return d.authenticate(new PasswordCredentials(user, password)).status();
    }

    @Test(timeout = 60_000)
    public void aBadFirstConfigurationRegistersNothingAndTheLogNamesFileKeyAndReason() {
        String[][] bad = {
            {"blf-crypt.cost", "abc", "key blf-crypt.cost: not a whole number: 'abc'"},
            {"blf-crypt.cost", "32", "key blf-crypt.cost: must be within 4..31, not 32"},
            {"pbkdf2.rounds", "999", "key pbkdf2.rounds: must be within 1000..100000000, not 999"},
        };
        for (String[] b : bad) {
            Services services = new Services();
            try (Log log = new Log()) {
                try {
                    new BuiltInSchemesComponent().activate(services.context(), config(b[0], b[1]));
                    fail(b[0] + " = " + b[1] + " activated");
                } catch (IllegalArgumentException expected) {
                    assertEquals(b[2], expected.getMessage());
                }
                assertTrue(
                        log.text(),
                        log.text()
                                .contains(
                                        "ERROR " + BuiltInSchemesComponent.class.getName() + " - Bad configuration in "
                                                + FILE + ": " + b[2] + "; no built-in password scheme is registered"));
            }
            assertTrue(services.registered.isEmpty());
        }
        try (Log log = new Log()) {
            try {
                new BuiltInSchemesComponent().activate(new Services().context(), Map.of("argon2id.iterations", 0));
                fail("iterations 0 activated");
            } catch (IllegalArgumentException expected) {
                assertTrue(
                        "without a file the log names the PID: " + log.text(),
                        log.text()
                                .contains("Bad configuration in " + BuiltInSchemesComponent.PID
                                        + ": key argon2id.iterations: must be within 1..2147483647, not 0;"));
            }
        }
    }

    @Test(timeout = 60_000)
    public void aBadEditKeepsThePreviousCostsAndAGoodOneApplies() {
        Services services = new Services();
        BuiltInSchemesComponent c = new BuiltInSchemesComponent();
        c.activate(services.context(), config("blf-crypt.cost", "5", "pbkdf2.rounds", "2000"));
        Map<PasswordScheme, Map<String, Object>> before = new LinkedHashMap<>(services.registered);
        PasswordScheme bcrypt = services.byName("BLF-CRYPT");
        assertTrue(bcrypt.encode("pw").startsWith("$2y$05$"));

        try (Log log = new Log()) {
            c.modified(config("blf-crypt.cost", "99", "pbkdf2.rounds", "3000"));
            assertTrue(
                    log.text(),
                    log.text()
                            .contains(
                                    "ERROR " + BuiltInSchemesComponent.class.getName()
                                            + " - Bad configuration in " + FILE
                                            + ": key blf-crypt.cost: must be within 4..31, not 99; the previous hash costs stay in force"));
        }
        assertTrue("the previous cost", bcrypt.encode("pw").startsWith("$2y$05$"));
        assertEquals(
                "nothing of a bad edit applies",
                "2000",
                services.byName("PBKDF2").encode("pw").split("\\$")[3]);

        c.modified(config("blf-crypt.cost", "6"));
        String h = bcrypt.encode("pw");
        assertTrue(h, h.startsWith("$2y$06$"));
        assertTrue(bcrypt.verify("pw", h));
        assertEquals(
                "a removed key is back at its default",
                "100000",
                services.byName("PBKDF2").encode("pw").split("\\$")[3]);
        assertEquals("the same services stay registered", before, services.registered);
        c.deactivate();
    }

    @Test(timeout = 60_000)
    public void anUnknownKeyIsWarnedAboutAndIgnored() {
        Services services = new Services();
        BuiltInSchemesComponent c = new BuiltInSchemesComponent();
        try (Log log = new Log()) {
            c.activate(services.context(), config("bcrypt.cost", "12", "argon2id.memorykib", "65536"));
            assertTrue(
                    log.text(),
                    log.text()
                            .contains("WARN " + BuiltInSchemesComponent.class.getName() + " - Configuration " + FILE
                                    + ": unknown keys [argon2id.memorykib, bcrypt.cost] are ignored"));
            assertTrue(log.text(), log.text().contains("blf-crypt.cost"));
            assertFalse(
                    "framework properties are not unknown keys: " + log.text(),
                    log.text().contains("service.pid"));
        }
        assertEquals(BuiltInSchemes.ALL.size(), services.registered.size());
        assertTrue(services.byName("ARGON2ID").encode("pw").startsWith("$argon2id$v=19$m=19456,"));
        assertTrue(services.byName("BLF-CRYPT").encode("pw").startsWith("$2y$10$"));
        c.deactivate();
    }

    @Test
    public void theShippedFileSetsAndDocumentsEveryKeyAtItsDefault() throws IOException {
        Path shipped = Paths.get("../../etc", BuiltInSchemesComponent.PID + ".cfg");
        assertTrue(shipped.toAbsolutePath() + " is missing", Files.isRegularFile(shipped));
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(shipped, StandardCharsets.ISO_8859_1)) {
            p.load(r);
        }
        Set<String> expectedKeys = new TreeSet<>(BuiltInSchemes.keys());
        assertEquals(expectedKeys, new TreeSet<>(p.stringPropertyNames()));
        List<String> lines = Files.readAllLines(shipped, StandardCharsets.ISO_8859_1);
        for (BuiltInSchemes.Scheme s : BuiltInSchemes.ALL) {
            for (BuiltInSchemes.Cost c : s.costs()) {
                String key = s.key(c);
                assertEquals(key, String.valueOf(c.defaultValue()), p.getProperty(key));
                assertTrue(
                        key + " is explained in a comment",
                        lines.stream().anyMatch(l -> l.startsWith("# " + key + " ")));
            }
        }
        Map<String, Object> asConfigAdmin = new HashMap<>();
        p.stringPropertyNames().forEach(k -> asConfigAdmin.put(k, p.getProperty(k)));
        // What Karaf and SCR add to the file's keys (SCR 2.2's satisfying condition included).
        asConfigAdmin.put("service.pid", "org.mailroom.auth.password.schemes");
        asConfigAdmin.put("felix.fileinstall.filename", "file:/etc/org.mailroom.auth.password.schemes.cfg");
        asConfigAdmin.put("osgi.ds.satisfying.condition.target", "(osgi.condition.id=true)");
        assertEquals(List.of(), BuiltInSchemes.unknownKeys(asConfigAdmin));
        assertEquals(
                BuiltInSchemes.ALL.size(), BuiltInSchemes.create(asConfigAdmin).size());
    }
}
