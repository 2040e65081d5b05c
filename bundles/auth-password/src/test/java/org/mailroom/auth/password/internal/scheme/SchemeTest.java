package org.mailroom.auth.password.internal.scheme;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.mailroom.api.auth.PasswordScheme;

public class SchemeTest {

    private final Map<String, PasswordScheme> schemes = TestSchemes.all();

    record Vector(String scheme, String password, String hash) {
    }

    static List<Vector> vectors() throws IOException {
        List<Vector> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                SchemeTest.class.getResourceAsStream("/doveadm-vectors.txt"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                String prefix = "{" + f[0] + "}";
                assertTrue(line, f[2].startsWith(prefix));
                out.add(new Vector(f[0], f[1], f[2].substring(prefix.length())));
            }
        }
        return out;
    }

    @Test(timeout = 120_000)
    public void verifiesHashesMadeByDoveadm() throws IOException {
        List<Vector> vectors = vectors();
        assertTrue(vectors.size() >= 30);
        for (Vector v : vectors) {
            PasswordScheme s = schemes.get(v.scheme());
            assertTrue(v.scheme() + " " + v.hash(), s.verify(v.password(), v.hash()));
            assertFalse(v.scheme() + " wrong password", s.verify(v.password() + "x", v.hash()));
            assertFalse(v.scheme() + " empty password", s.verify("", v.hash()));
        }
    }

    @Test(timeout = 120_000)
    public void encodeThenVerifyWithFreshSalt() {
        for (Map.Entry<String, PasswordScheme> e : schemes.entrySet()) {
            PasswordScheme s = e.getValue();
            String a = s.encode("correct horse");
            assertTrue(e.getKey(), s.verify("correct horse", a));
            assertFalse(e.getKey(), s.verify("correct horsE", a));
            boolean salted = !List.of("SHA", "SHA256", "SHA512", "PLAIN", "CLEARTEXT", "CLEAR").contains(e.getKey());
            if (salted) {
                assertNotEquals(e.getKey() + " salt must be fresh", a, s.encode("correct horse"));
            }
        }
    }

    @Test(timeout = 60_000)
    public void newHashesUseConfiguredStrongParameters() {
        assertTrue(schemes.get("ARGON2ID").encode("x").startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
        assertTrue(schemes.get("BLF-CRYPT").encode("x").startsWith("$2y$10$"));
        assertTrue(schemes.get("SHA512-CRYPT").encode("x").startsWith("$6$rounds=50000$"));
        assertTrue(schemes.get("PBKDF2").encode("x").matches("\\$1\\$[./0-9A-Za-z]{16}\\$100000\\$[0-9a-f]{40}"));
        Argon2idSchemeComponent tuned = new Argon2idSchemeComponent();
        tuned.configure(TestSchemes.defaults(Argon2idSchemeComponent.Config.class, "memoryKiB", 8192, "iterations", 3));
        String h = tuned.encode("pw");
        assertTrue(h, h.startsWith("$argon2id$v=19$m=8192,t=3,p=1$"));
        tuned.configure(TestSchemes.defaults(Argon2idSchemeComponent.Config.class, "memoryKiB", 1));
        assertTrue("a bad value keeps the previous parameters", tuned.encode("pw").startsWith("$argon2id$v=19$m=8192,t=3,p=1$"));
    }

    @Test(timeout = 60_000)
    public void bcryptAcceptsEveryPrefixVariant() {
        String y = "$2y$05$UggfRX8ytRrvUgEgROfc9uLfyjBJC/cm4hLZFHiMcewS.PbcQH27u";
        PasswordScheme s = schemes.get("BLF-CRYPT");
        for (String v : List.of("$2a$", "$2b$", "$2y$")) {
            assertTrue(v, s.verify("secret", v + y.substring(4)));
        }
        assertFalse(s.verify("secret", "$2x$" + y.substring(4)));
        assertTrue(schemes.get("CRYPT").verify("secret", "$2b$" + y.substring(4)));
    }

    @Test(timeout = 60_000)
    public void cryptRecognisesEveryPrefix() {
        PasswordScheme crypt = schemes.get("CRYPT");
        for (String name : List.of("SHA512-CRYPT", "SHA256-CRYPT", "MD5-CRYPT", "BLF-CRYPT")) {
            assertTrue(name, crypt.verify("pw1", schemes.get(name).encode("pw1")));
        }
        assertTrue("DES", crypt.verify("secret", org.apache.commons.codec.digest.UnixCrypt.crypt("secret", "ab")));
        assertFalse(crypt.verify("secret", "$y$j9T$abc$def"));
    }

    @Test(timeout = 60_000)
    public void malformedStoredValuesAreFalseNotExceptions() {
        List<String> junk = List.of("", "$", "$$$$", "{}", "$argon2id$v=19$m=999999999,t=1,p=1$AAAAAAAAAAA$AAAAAA",
                "$argon2id$v=19$m=x,t=1,p=1$a$b", "$2y$99$xx", "$6$rounds=abc$x", "$1$", "$1$s$0$00", "$1$s$1$zz",
                "%%%notbase64", "AAAA");
        for (Map.Entry<String, PasswordScheme> e : schemes.entrySet()) {
            for (String j : junk) {
                boolean ok = e.getValue().verify("pw", j);
                if (!e.getKey().startsWith("PLAIN") && !e.getKey().startsWith("CLEAR")) {
                    assertFalse(e.getKey() + " " + j, ok);
                }
            }
        }
        assertEquals(false, schemes.get("PLAIN").verify("pw", "pw2"));
    }

    @Test(timeout = 60_000)
    public void bcryptUsesTheFirst72BytesLikeCrypt3() {
        PasswordScheme s = schemes.get("BLF-CRYPT");
        String long1 = "a".repeat(72) + "tail-one";
        String h = s.encode(long1);
        assertTrue(s.verify("a".repeat(72) + "other", h));
        assertFalse(s.verify("a".repeat(71), h));
    }
}
