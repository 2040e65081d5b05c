package org.mailroom.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.Map;
import org.junit.Test;

public class KitTest {

    @interface Example {
        int port() default 110;

        String[] names() default {"a"};

        String required();
    }

    @Test
    public void configsAnswerValuesThenDefaultsAndRejectUnknownNames() {
        Example e = Configs.of(Example.class, "port", 995, "required", "x");
        assertEquals(995, e.port());
        assertEquals("a", e.names()[0]);
        assertEquals(Example.class, e.annotationType());
        assertEquals("x", Configs.of(Example.class, Map.of("required", "x")).required());
        try {
            Configs.of(Example.class, "prot", 1);
            fail();
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("prot"));
        }
        try {
            Configs.of(Example.class).required();
            fail();
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("required"));
        }
    }

    @Test
    public void toolsAreFoundOnThePath() {
        assertNotNull(RequiredTool.find("sh"));
        assertNull(RequiredTool.find("no-such-tool-" + System.nanoTime()));
    }

    @Test
    public void pollFailsWithWhatItWaitedFor() throws InterruptedException {
        Poll.until("already true", Duration.ofSeconds(1), () -> true);
        try {
            Poll.until("never", Duration.ofMillis(50), () -> false);
            fail();
        } catch (AssertionError expected) {
            assertTrue(expected.getMessage().startsWith("never"));
        }
    }

    @Test
    public void freePortsAreDistinct() {
        int[] ports = FreePorts.of(3);
        assertNotEquals(ports[0], ports[1]);
        assertNotEquals(ports[1], ports[2]);
        assertNotNull(TrustAll.context());
        assertTrue(Heap.usedAfterGc() > 0);
    }
}
