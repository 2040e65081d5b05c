package org.mailroom.spool.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.testing.Configs;

/** The house rule for bad configuration, on the spool component. */
public class SpoolComponentTest {

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 30_000)
    public void aBadValueAtActivationStartsNothingAndNamesTheFileAndKey() throws Exception {
        Path dir = temp.newFolder("spool").toPath();
        Map<String, Object> props = Map.of("felix.fileinstall.filename", "file:/etc/org.mailroom.spool.cfg");
        for (Object[] bad : new Object[][] {
            {"retryDelays", "60, soon"},
            {"deliveryThreads", 0},
            {"maxAgeHours", 0},
            {"directory", ""},
            {"deliverBeforeReply", -1},
            {"deliverBeforeReply", 1001},
        }) {
            SpoolComponent component = new SpoolComponent();
            try {
                component.activate(
                        Configs.of(SpoolComponent.Config.class, "directory", dir.toString(), bad[0].toString(), bad[1]),
                        props);
                fail("accepted " + bad[0] + " = " + bad[1]);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("org.mailroom.spool.cfg"));
                assertTrue(e.getMessage(), e.getMessage().contains("key " + bad[0]));
            }
        }
        SpoolComponent component = new SpoolComponent();
        try {
            component.activate(
                    Configs.of(SpoolComponent.Config.class, "directory", dir.toString()),
                    Map.of("fsync", "yes", "directory", dir.toString()));
            fail("accepted fsync = yes");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("key fsync"));
        }
    }

    @Test(timeout = 30_000)
    public void aBadEditKeepsThePreviousSettings() throws Exception {
        Path dir = temp.newFolder("spool").toPath();
        SpoolComponent component = new SpoolComponent();
        component.activate(Configs.of(SpoolComponent.Config.class, "directory", dir.toString()), Map.of());
        try {
            component.modified(
                    Configs.of(SpoolComponent.Config.class, "directory", dir.toString(), "retryDelays", "x"), Map.of());
            assertEquals(5, component.settings().retryDelays().size());
            component.modified(
                    Configs.of(SpoolComponent.Config.class, "directory", dir.toString(), "retryDelays", "5"), Map.of());
            assertEquals(List.of(Duration.ofSeconds(5)), component.settings().retryDelays());
            assertTrue(component.list().isEmpty());
        } finally {
            component.deactivate();
        }
    }
}
