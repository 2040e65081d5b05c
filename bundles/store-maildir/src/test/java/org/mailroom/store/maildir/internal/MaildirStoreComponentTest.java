package org.mailroom.store.maildir.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.testing.Configs;

public class MaildirStoreComponentTest {

    private static final String FILE = "file:/etc/org.mailroom.store.maildir.cfg";
    private static final Map<String, Object> FROM_FILE = Map.of("felix.fileinstall.filename", FILE);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final String previousBase = System.getProperty("karaf.base");

    @After
    public void restoreKarafBase() {
        if (previousBase == null) {
            System.clearProperty("karaf.base");
        } else {
            System.setProperty("karaf.base", previousBase);
        }
    }

    @Test
    public void relativePathsResolveAgainstKarafBaseAndRootIsCreated() throws Exception {
        Path base = temp.newFolder("karaf").toPath();
        Files.createDirectory(base.resolve("welcome"));
        System.setProperty("karaf.base", base.toString());
        MaildirSettings settings = MaildirSettings.from(config("data/../mail", "welcome", false), Map.of());
        assertEquals(base.resolve("mail"), settings.root());
        assertEquals(base.resolve("welcome"), settings.welcomeMessages());
        assertFalse(settings.fsync());
        assertTrue(Files.isDirectory(base.resolve("mail")));
    }

    @Test
    public void badValuesAreRejectedNamingTheKey() throws Exception {
        Path root = temp.newFolder("mail").toPath();
        assertBad("key root: missing", config(null, "", true), Map.of());
        assertBad("key root: missing", config("  ", "", true), Map.of());
        assertBad(
                "key welcomeMessages: " + root.resolve("absent") + " is not a directory",
                config(root.toString(), root.resolve("absent").toString(), true),
                Map.of());
        Path file = Files.writeString(root.resolve("a-file"), "x");
        assertBad(
                "key root: cannot create " + file.resolve("sub"),
                config(file.resolve("sub").toString(), "", true),
                Map.of());
        assertBad(
                "key fsync: must be true or false, not 'yes'",
                config(root.toString(), "", false),
                Map.of("fsync", "yes"));
        assertNull(MaildirSettings.from(config(root.toString(), "", true), Map.of())
                .welcomeMessages());
    }

    @Test
    public void fsyncTakesTrueOrFalseInAnyCase() throws Exception {
        Path root = temp.newFolder("mail").toPath();
        assertFalse(MaildirSettings.from(config(root.toString(), "", false), Map.of("fsync", "FALSE"))
                .fsync());
        assertTrue(MaildirSettings.from(config(root.toString(), "", true), Map.of("fsync", "True"))
                .fsync());
        assertTrue(MaildirSettings.from(config(root.toString(), "", true), Map.of("fsync", Boolean.TRUE))
                .fsync());
    }

    @Test
    public void firstActivationWithABadValueFailsAndLogsTheFileTheKeyAndTheReason() throws Exception {
        Path root = temp.newFolder("mail").toPath();
        Map<MaildirStoreComponent.Config, String> bad = new LinkedHashMap<>();
        bad.put(config("", "", true), "key root: missing");
        bad.put(config(root.toString(), root.resolve("absent").toString(), true), "key welcomeMessages: ");
        for (Map.Entry<MaildirStoreComponent.Config, String> c : bad.entrySet()) {
            assertActivationFails(c.getKey(), FROM_FILE, c.getValue());
        }
        Map<String, Object> misspelt = Map.of("felix.fileinstall.filename", FILE, "fsync", "ture");
        assertActivationFails(config(root.toString(), "", false), misspelt, "key fsync: must be true or false");
    }

    @Test
    public void badEditKeepsThePreviousSettingsInForceAndLogsTheFileTheKeyAndTheReason() throws Exception {
        Path first = temp.newFolder("first").toPath();
        Path second = temp.newFolder("second").toPath();
        MaildirStoreComponent component = new MaildirStoreComponent();
        component.activate(config(first.toString(), "", true), FROM_FILE);
        String uid = component.deliver("alice", new ByteArrayInputStream("a\n".getBytes(UTF_8)));

        Map<String, Object> misspelt = Map.of("felix.fileinstall.filename", FILE, "fsync", "ture");
        assertEditKept(component, config(second.toString(), "", false), misspelt, "key fsync: must be true or false");
        assertEditKept(
                component,
                config(second.toString(), second.resolve("absent").toString(), true),
                FROM_FILE,
                "key welcomeMessages: ");
        assertEditKept(component, config(" ", "", true), FROM_FILE, "key root: missing");

        assertEquals(
                "still serving the first root",
                uid,
                component.list("alice").get(0).uid());
        assertFalse(Files.exists(second.resolve("alice")));
    }

    @Test
    public void modifiedAppliesGoodSettingsInPlaceAndKeepsThePreviousOnBadOnes() throws Exception {
        Path first = temp.newFolder("first").toPath();
        Path second = temp.newFolder("second").toPath();
        MaildirStoreComponent component = new MaildirStoreComponent();
        component.activate(config(first.toString(), "", true), Map.of());
        String uid = component.deliver("alice", new ByteArrayInputStream("a\n".getBytes(UTF_8)));
        assertEquals(uid, component.list("alice").get(0).uid());

        component.modified(config(second.toString(), "", true), Map.of());
        assertTrue(component.list("alice").isEmpty());
        assertTrue(Files.isDirectory(second.resolve("alice/new")));

        component.modified(config("", "", true), Map.of());
        assertTrue(component.list("alice").isEmpty());
        component.deliver("alice", new ByteArrayInputStream("b\n".getBytes(UTF_8)));
        assertEquals(1, component.list("alice").size());
        assertEquals(
                1,
                new MaildirStore(new MaildirSettings(second, null, true))
                        .list("alice")
                        .size());
    }

    @Test
    public void activationCompletesDeletionsACrashInterrupted() throws Exception {
        Path root = temp.newFolder("mail").toPath();
        MaildirStore store = new MaildirStore(new MaildirSettings(root, null, false));
        String kept = store.deliver("alice", new ByteArrayInputStream("kept\n".getBytes(UTF_8)));
        String doomed = store.deliver("alice", new ByteArrayInputStream("doomed\n".getBytes(UTF_8)));
        String bobs = store.deliver("bob", new ByteArrayInputStream("bob\n".getBytes(UTF_8)));
        Files.writeString(root.resolve("alice/mailroom-expunge"), "mailroom-expunge 1\nnew/" + doomed + "\nend\n");
        Files.writeString(root.resolve("bob/mailroom-expunge"), "not a journal\n");

        new MaildirStoreComponent().activate(config(root.toString(), "", true), Map.of());

        assertFalse(Files.exists(root.resolve("alice/mailroom-expunge")));
        assertFalse(Files.exists(root.resolve("alice/new").resolve(doomed)));
        assertTrue(Files.exists(root.resolve("alice/new").resolve(kept)));
        assertTrue("an invalid journal is left alone", Files.exists(root.resolve("bob/mailroom-expunge")));
        assertTrue(Files.exists(root.resolve("bob/new").resolve(bobs)));
    }

    @Test
    public void activationFailsWithoutARoot() {
        try {
            new MaildirStoreComponent().activate(config("", "", true), Map.of());
            fail("activated without a root");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains(MaildirStoreComponent.PID));
        }
    }

    private static void assertBad(String reason, MaildirStoreComponent.Config config, Map<String, ?> properties) {
        try {
            MaildirSettings.from(config, properties);
            fail("accepted " + config + " " + properties);
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().startsWith(reason));
        }
    }

    private static void assertActivationFails(
            MaildirStoreComponent.Config config, Map<String, Object> properties, String reason) {
        try (StderrCapture log = new StderrCapture()) {
            try {
                new MaildirStoreComponent().activate(config, properties);
                fail("activated with " + config + " " + properties);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains(FILE + ": " + reason));
            }
            assertLogged(log, reason, "the Maildir store stays inactive");
        }
    }

    private static void assertEditKept(
            MaildirStoreComponent component,
            MaildirStoreComponent.Config config,
            Map<String, Object> properties,
            String reason) {
        try (StderrCapture log = new StderrCapture()) {
            component.modified(config, properties);
            assertLogged(log, reason, "the previous settings stay in force");
        }
    }

    private static void assertLogged(StderrCapture log, String reason, String outcome) {
        String line = log.text()
                .lines()
                .filter(l -> l.contains("Bad configuration in " + FILE + ": " + reason))
                .findFirst()
                .orElse(null);
        if (line == null) {
            fail("no log line naming " + FILE + " and '" + reason + "' in:\n" + log.text());
        }
        assertTrue(line, line.contains("ERROR") && line.endsWith(outcome));
    }

    private static MaildirStoreComponent.Config config(String root, String welcome, boolean fsync) {
        return Configs.of(MaildirStoreComponent.Config.class, "root", root, "welcomeMessages", welcome, "fsync", fsync);
    }
}
