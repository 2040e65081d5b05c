package org.mailroom.addresses.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.address.Resolution;
import org.mailroom.api.address.Resolution.Kind;
import org.mailroom.testing.Configs;
import org.mailroom.testing.Poll;

public class AddressesComponentTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String RELOAD_THREAD = "mailroom-aliases-file-reload";
    private static final Map<String, Object> PROPS =
            Map.of("felix.fileinstall.filename", "file:/opt/mailroom/etc/org.mailroom.addresses.cfg");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path aliases() {
        return tmp.getRoot().toPath().resolve("mailroom-aliases");
    }

    /** Writes the aliases file as editors and provisioning tools do: a new file renamed over the old. */
    private void writeAliases(String... lines) throws IOException {
        Path next = tmp.getRoot().toPath().resolve("aliases.new");
        Files.write(next, List.of(lines), StandardCharsets.UTF_8);
        Files.move(next, aliases(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** example.com, the test's aliases file, a reload every second, and these keys. */
    private AddressesComponent.Config config(Object... namesAndValues) {
        Map<String, Object> values = new HashMap<>(
                Map.of("domains", "example.com", "aliasesFile", aliases().toString(), "reloadIntervalSeconds", 1));
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return Configs.of(AddressesComponent.Config.class, values);
    }

    private static AddressesComponent started(AddressesComponent.Config config) {
        AddressesComponent c = new AddressesComponent();
        c.directory = new MemoryDirectory("alice", "bob");
        c.activate(config, PROPS);
        return c;
    }

    private static boolean reloadThreadRunning() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(RELOAD_THREAD) && t.isAlive());
    }

    @Test(timeout = 60_000)
    public void servesTheAliasesFileAndPicksUpItsChanges() throws Exception {
        writeAliases("sales@example.com alice");
        AddressesComponent c = started(config());
        try {
            assertEquals(Resolution.local(List.of("alice")), c.resolve("sales@example.com"));
            assertTrue(c.isAddressOf("alice", "sales@example.com"));
            writeAliases("sales@example.com alice, bob", "info@example.com bob");
            Poll.until(
                    "changed aliases file applied",
                    TIMEOUT,
                    () -> c.resolve("info@example.com").isLocal());
            assertEquals(Resolution.local(List.of("alice", "bob")), c.resolve("sales@example.com"));
            assertFalse(c.isAddressOf("alice", "sales@example.com"));

            Files.delete(aliases());
            Poll.until(
                    "a deleted file has no aliases",
                    TIMEOUT,
                    () -> !c.resolve("info@example.com").isLocal());
            assertEquals(Kind.UNKNOWN, c.resolve("sales@example.com").kind());
            assertEquals(Resolution.local(List.of("alice")), c.resolve("alice@example.com"));
        } finally {
            c.deactivate();
        }
        Poll.until("reload thread stopped by deactivate", TIMEOUT, () -> !reloadThreadRunning());
    }

    @Test(timeout = 60_000)
    public void withoutAUserDirectoryUsersAreUnavailableAndAliasesResolve() throws IOException {
        writeAliases("sales@example.com alice");
        AddressesComponent c = started(config());
        try {
            c.directory = null;
            assertEquals(Kind.UNAVAILABLE, c.resolve("alice@example.com").kind());
            assertEquals(Resolution.local(List.of("alice")), c.resolve("sales@example.com"));
            assertEquals(Resolution.local(List.of("postmaster")), c.resolve("postmaster"));
            assertEquals(Kind.FOREIGN, c.resolve("alice@example.org").kind());
            c.directory = new MemoryDirectory("alice");
            assertEquals(Resolution.local(List.of("alice")), c.resolve("alice@example.com"));
        } finally {
            c.deactivate();
        }
    }

    @Test(timeout = 60_000)
    public void aBadValueAtActivationStartsNothingAndNamesTheFileAndKey() throws InterruptedException {
        Object[][] bad = {
            {"domains", "example.com, exa mple.com"},
            {"domains", "[127.0.0.1]"},
            {"aliasesFile", " "},
            {"aliasesFile", "bad\u0000path"},
            {"recipientDelimiter", "@"},
            {"recipientDelimiter", "+ -"},
            {"postmaster", "post master"},
            {"postmaster", ""},
            {"reloadIntervalSeconds", 0},
        };
        for (Object[] b : bad) {
            try {
                started(config(b[0], b[1]));
                fail("accepted " + b[0] + " = " + b[1]);
            } catch (IllegalArgumentException expected) {
                String message = expected.getMessage();
                assertTrue(message, message.contains("etc/org.mailroom.addresses.cfg"));
                assertTrue(message, message.contains("key " + b[0] + ":"));
            }
        }
        Poll.until("no reload thread after failed activations", TIMEOUT, () -> !reloadThreadRunning());
        AddressesComponent c = new AddressesComponent();
        try {
            c.activate(config("postmaster", "a/b"), Map.of());
            fail();
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("etc/org.mailroom.addresses.cfg"));
        }
    }

    @Test(timeout = 60_000)
    public void aBadEditKeepsThePreviousSettingsAndAGoodOneApplies() throws IOException {
        writeAliases("sales@example.com alice");
        Path other = tmp.getRoot().toPath().resolve("other-aliases");
        Files.write(other, List.of("sales@other.example bob"));
        AddressesComponent c = started(config());
        try {
            c.modified(config("domains", "other.example, exa mple.com", "aliasesFile", other.toString()), PROPS);
            c.modified(config("reloadIntervalSeconds", -1), PROPS);
            c.modified(config("postmaster", " "), PROPS);
            assertTrue(c.isLocalDomain("example.com"));
            assertFalse(c.isLocalDomain("other.example"));
            assertEquals(Resolution.local(List.of("alice")), c.resolve("sales@example.com"));
            assertEquals(Resolution.local(List.of("alice")), c.resolve("alice+x@example.com"));

            c.modified(
                    config(
                            "domains",
                            "other.example",
                            "aliasesFile",
                            other.toString(),
                            "recipientDelimiter",
                            "",
                            "postmaster",
                            "alice"),
                    PROPS);
            assertEquals(Kind.FOREIGN, c.resolve("sales@example.com").kind());
            assertEquals(Resolution.local(List.of("bob")), c.resolve("sales@other.example"));
            assertEquals(Kind.UNKNOWN, c.resolve("alice+x@other.example").kind());
            assertEquals(Resolution.local(List.of("alice")), c.resolve("postmaster"));
        } finally {
            c.deactivate();
        }
    }

    @Test(timeout = 60_000)
    public void emptyDomainsMeanLocalhostAndTheMachinesNames() throws IOException {
        AddressesComponent c = started(config("domains", ""));
        try {
            assertTrue(c.isLocalDomain("localhost"));
            assertTrue(c.isLocalDomain("LOCALHOST"));
            assertEquals(Resolution.local(List.of("alice")), c.resolve("alice@localhost"));
            assertEquals(Resolution.local(List.of("postmaster")), c.resolve("postmaster"));
            assertFalse(c.isLocalDomain("example.com"));
        } finally {
            c.deactivate();
        }
    }

    @Test(timeout = 60_000)
    public void theShippedFilesParse() throws Exception {
        Path etc = Path.of(System.getProperty("user.dir")).resolve("../../etc").normalize();
        Map<String, String> cfg = new HashMap<>();
        for (String line : Files.readAllLines(etc.resolve("org.mailroom.addresses.cfg"))) {
            if (!line.startsWith("#") && line.contains("=")) {
                cfg.put(
                        line.substring(0, line.indexOf('=')).strip(),
                        line.substring(line.indexOf('=') + 1).strip());
            }
        }
        assertEquals(
                Map.of(
                        "domains", "${env:MAILROOM_DOMAINS:-}",
                        "aliasesFile", "${env:MAILROOM_ALIASES_FILE:-${karaf.etc}/mailroom-aliases}",
                        "recipientDelimiter", "+",
                        "postmaster", "postmaster",
                        "reloadIntervalSeconds", "2"),
                cfg);
        AliasesParser parser = new AliasesParser(Domains.parse("example.com"), "+", "postmaster");
        assertEquals(
                "no active aliases",
                Map.of(),
                parser.parse(etc.resolve("mailroom-aliases")).aliases());
        List<String> example = Files.readAllLines(etc.resolve("mailroom-aliases")).stream()
                .filter(l -> l.startsWith("# sales@"))
                .map(l -> l.substring(2))
                .toList();
        assertEquals(1, example.size());
        Path active = tmp.getRoot().toPath().resolve("example");
        Files.write(active, example);
        assertEquals(List.of("alice", "bob"), parser.parse(active).aliases().get("sales@example.com"));
    }
}
