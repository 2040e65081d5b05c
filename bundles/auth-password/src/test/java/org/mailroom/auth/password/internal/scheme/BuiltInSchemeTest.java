package org.mailroom.auth.password.internal.scheme;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;
import org.mailroom.api.auth.PasswordScheme;

/** What every row of {@link BuiltInSchemes} must do, with real hashing. */
@RunWith(Parameterized.class)
public class BuiltInSchemeTest {

    /** Schemes without a salt: the same password always gives the same value. */
    private static final List<String> UNSALTED = List.of("SHA", "SHA256", "SHA512", "PLAIN");

    @Parameters(name = "{0}")
    public static List<Object[]> rows() {
        return BuiltInSchemes.ALL.stream().map(s -> new Object[] {s.name(), s}).toList();
    }

    @Parameter(0)
    public String name;

    @Parameter(1)
    public BuiltInSchemes.Scheme row;

    private PasswordScheme scheme() {
        return BuiltInSchemes.create(Map.of()).get(row);
    }

    @Test(timeout = 60_000)
    public void encodeThenVerifyWithFreshSalt() {
        PasswordScheme s = scheme();
        String a = s.encode("correct horse ä€");
        assertTrue(s.verify("correct horse ä€", a));
        assertFalse(s.verify("correct horsE ä€", a));
        assertFalse(s.verify("", a));
        if (!UNSALTED.contains(name)) {
            assertNotEquals("salt must be fresh", a, s.encode("correct horse ä€"));
        }
    }

    @Test(timeout = 60_000)
    public void verifiesHashesMadeByDoveadm() throws IOException {
        PasswordScheme s = scheme();
        int seen = 0;
        for (SchemeTest.Vector v : SchemeTest.vectors()) {
            if (row.names().contains(v.scheme())) {
                seen++;
                assertTrue(v.scheme() + " " + v.hash(), s.verify(v.password(), v.hash()));
                assertFalse(v.scheme() + " wrong password", s.verify(v.password() + "x", v.hash()));
                assertFalse(v.scheme() + " empty password", s.verify("", v.hash()));
            }
        }
        assertTrue("doveadm-vectors.txt has at least two hashes of " + row.names(), seen >= 2);
    }

    @Test(timeout = 60_000)
    public void malformedStoredValuesAreFalseNotExceptions() {
        List<String> junk = List.of(
                "",
                "$",
                "$$$$",
                "{}",
                "$argon2id$v=19$m=999999999,t=1,p=1$AAAAAAAAAAA$AAAAAA",
                "$argon2id$v=19$m=x,t=1,p=1$a$b",
                "$2y$99$xx",
                "$6$rounds=abc$x",
                "$1$",
                "$1$s$0$00",
                "$1$s$1$zz",
                "%%%notbase64",
                "AAAA");
        PasswordScheme s = scheme();
        for (String j : junk) {
            boolean ok = s.verify("pw", j);
            if (!name.equals("PLAIN")) {
                assertFalse(j, ok);
            }
        }
    }

    @Test
    public void everyCostIsAcceptedAtBothEndsOfItsRange() {
        for (BuiltInSchemes.Cost c : row.costs()) {
            assertTrue(c.name() + " default in range", c.min() <= c.defaultValue() && c.defaultValue() <= c.max());
            for (int value : new int[] {c.min(), c.max()}) {
                BuiltInSchemes.create(Map.of(row.key(c), String.valueOf(value)));
            }
        }
    }

    @Test
    public void aBadCostIsRefusedNamingItsKey() {
        for (BuiltInSchemes.Cost c : row.costs()) {
            String key = row.key(c);
            for (Object bad : List.of(
                    "abc", "", "1.5", String.valueOf((long) c.min() - 1), String.valueOf((long) c.max() + 1), 3.0)) {
                try {
                    BuiltInSchemes.create(Map.of(key, bad));
                    fail(key + " = " + bad + " accepted");
                } catch (IllegalArgumentException expected) {
                    assertTrue(expected.getMessage(), expected.getMessage().startsWith("key " + key + ": "));
                }
            }
        }
    }

    @Test
    public void namesAndKeysFollowTheRow() {
        assertEquals(name, row.names().get(0));
        for (String n : row.names()) {
            assertEquals(n.toUpperCase(java.util.Locale.ROOT), n);
            assertTrue(BuiltInSchemes.NAMES.contains(n));
        }
        for (BuiltInSchemes.Cost c : row.costs()) {
            assertEquals(name.toLowerCase(java.util.Locale.ROOT) + "." + c.name(), row.key(c));
        }
    }
}
