package org.mailroom.auth.password.internal.scheme;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.Test;
import org.mailroom.api.auth.PasswordScheme;

/** Live interoperability with Dovecot's own implementation, both directions. */
public class DoveadmInteropTest {

    /** Every name and alias of the table: doveadm knows each of them. */
    private static final List<String> SCHEMES =
            BuiltInSchemes.ALL.stream().flatMap(s -> s.names().stream()).toList();

    private final Map<String, PasswordScheme> schemes = TestSchemes.all();

    @Before
    public void needDoveadm() {
        Doveadm.assumeAvailable();
    }

    @Test(timeout = 300_000)
    public void weVerifyWhatDoveadmMakes() throws Exception {
        for (String name : SCHEMES) {
            String pw = "Dove-" + name + "-ä€";
            Doveadm.Result r = Doveadm.run("pw", "-s", name, "-p", pw);
            assertEquals(name + ": " + r.out(), 0, r.exit());
            String prefix = "{" + name + "}";
            assertTrue(r.out(), r.out().startsWith(prefix));
            String hash = r.out().substring(prefix.length());
            assertTrue(name + " " + hash, schemes.get(name).verify(pw, hash));
            assertTrue(name + " wrong password must fail", !schemes.get(name).verify(pw + "!", hash));
        }
    }

    @Test(timeout = 300_000)
    public void doveadmVerifiesWhatWeMake() throws Exception {
        for (String name : SCHEMES) {
            String pw = "Ours-" + name + "-ä€";
            String stored = "{" + name + "}" + schemes.get(name).encode(pw);
            Doveadm.Result ok = Doveadm.run("pw", "-t", stored, "-p", pw);
            assertEquals(name + ": " + stored + ": " + ok.out(), 0, ok.exit());
            assertTrue(ok.out(), ok.out().contains("(verified)"));
            Doveadm.Result bad = Doveadm.run("pw", "-t", stored, "-p", pw + "!");
            assertNotEquals(name + " wrong password verified by doveadm: " + bad.out(), 0, bad.exit());
        }
    }
}
