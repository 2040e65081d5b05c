package org.mailroom.auth.sm3.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.Map;
import org.junit.Test;

/** The component and its file etc/org.mailroom.auth.sm3.cfg. */
public class Sm3Pbkdf2ComponentTest {

    private static final String FILE = "file:/opt/mailroom/etc/org.mailroom.auth.sm3.cfg";

    private static Map<String, Object> config(String rounds) {
        Map<String, Object> p = new HashMap<>();
        p.put("felix.fileinstall.filename", FILE);
        p.put("component.name", "org.mailroom.auth.sm3.internal.Sm3Pbkdf2Component");
        if (rounds != null) {
            p.put(Sm3Pbkdf2Component.ROUNDS, rounds);
        }
        return p;
    }

    private static int rounds(String encoded) {
        return Integer.parseInt(encoded.split("\\$")[3]);
    }

    @Test
    public void withoutAFileNewHashesTakeTheDefaultRounds() {
        Sm3Pbkdf2Component c = new Sm3Pbkdf2Component();
        c.activate(new HashMap<>());
        String encoded = c.encode("pw");
        assertEquals(Sm3Pbkdf2Component.DEFAULT_ROUNDS, rounds(encoded));
        assertTrue(c.verify("pw", encoded));
    }

    @Test
    public void theConfiguredRoundsApplyAndAnEditChangesThem() {
        Sm3Pbkdf2Component c = new Sm3Pbkdf2Component();
        c.activate(config("2000"));
        String old = c.encode("pw");
        assertEquals(2000, rounds(old));
        c.modified(config(" 3000 "));
        assertEquals(3000, rounds(c.encode("pw")));
        assertTrue("hashes made before the edit still verify", c.verify("pw", old));
    }

    @Test
    public void aBadValueAtStartNamesTheKeyAndRegistersNothing() {
        for (String bad : new String[] {"many", "999", "100000001", "1e5"}) {
            try {
                new Sm3Pbkdf2Component().activate(config(bad));
                fail(bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("key sm3-pbkdf2.rounds: "));
            }
        }
    }

    @Test
    public void aBadEditKeepsThePreviousRounds() {
        Sm3Pbkdf2Component c = new Sm3Pbkdf2Component();
        c.activate(config("2000"));
        c.modified(config("lots"));
        assertEquals(2000, rounds(c.encode("pw")));
    }
}
