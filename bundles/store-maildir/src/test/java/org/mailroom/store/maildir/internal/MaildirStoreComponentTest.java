package org.mailroom.store.maildir.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class MaildirStoreComponentTest {

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
        MaildirSettings settings = MaildirStoreComponent.settings(config("data/../mail", "welcome", false), Map.of());
        assertEquals(base.resolve("mail"), settings.root());
        assertEquals(base.resolve("welcome"), settings.welcomeMessages());
        assertFalse(settings.fsync());
        assertTrue(Files.isDirectory(base.resolve("mail")));
    }

    @Test
    public void badValuesAreRejected() throws Exception {
        Path root = temp.newFolder("mail").toPath();
        Map<String, Object> props = Map.of("felix.fileinstall.filename", "file:/etc/org.mailroom.store.maildir.cfg");
        assertNull(MaildirStoreComponent.settings(config(null, "", true), props));
        assertNull(MaildirStoreComponent.settings(config("  ", "", true), props));
        assertNull(MaildirStoreComponent.settings(config(root.toString(), root.resolve("absent").toString(), true),
                props));
        Path file = Files.writeString(root.resolve("a-file"), "x");
        assertNull(MaildirStoreComponent.settings(config(file.resolve("sub").toString(), "", true), props));
        assertNull(MaildirStoreComponent.settings(config(root.toString(), "", true), props).welcomeMessages());
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
        assertEquals(1, new MaildirStore(new MaildirSettings(second, null, true)).list("alice").size());
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

    private static MaildirStoreComponent.Config config(String root, String welcome, boolean fsync) {
        return new MaildirStoreComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return MaildirStoreComponent.Config.class;
            }

            @Override
            public String root() {
                return root;
            }

            @Override
            public String welcomeMessages() {
                return welcome;
            }

            @Override
            public boolean fsync() {
                return fsync;
            }
        };
    }
}
