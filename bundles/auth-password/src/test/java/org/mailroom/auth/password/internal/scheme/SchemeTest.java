package org.mailroom.auth.password.internal.scheme;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.mailroom.api.auth.PasswordScheme;

/** What one scheme does differently from the others; what every scheme does is in {@link BuiltInSchemeTest}. */
public class SchemeTest {

    private final Map<String, PasswordScheme> schemes = TestSchemes.all();

    record Vector(String scheme, String password, String hash) {}

    /** Hashes made by Dovecot's doveadm pw, from {@code doveadm-vectors.txt}. */
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

    @Test
    public void everyDoveadmVectorIsOfASchemeInTheTable() throws IOException {
        List<Vector> vectors = vectors();
        assertTrue(vectors.size() >= 30);
        for (Vector v : vectors) {
            assertTrue(v.scheme(), BuiltInSchemes.NAMES.contains(v.scheme()));
        }
    }

    @Test(timeout = 60_000)
    public void newHashesUseTheDefaultCostsUnlessConfigured() {
        assertTrue(schemes.get("ARGON2ID").encode("x").startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
        assertTrue(schemes.get("ARGON2I").encode("x").startsWith("$argon2i$v=19$m=32768,t=4,p=1$"));
        assertTrue(schemes.get("BLF-CRYPT").encode("x").startsWith("$2y$10$"));
        assertTrue(schemes.get("SHA512-CRYPT").encode("x").startsWith("$6$rounds=50000$"));
        assertTrue(schemes.get("SHA256-CRYPT").encode("x").startsWith("$5$rounds=50000$"));
        assertTrue(schemes.get("CRYPT").encode("x").startsWith("$6$rounds=50000$"));
        assertTrue(schemes.get("PBKDF2").encode("x").matches("\\$1\\$[./0-9A-Za-z]{16}\\$100000\\$[0-9a-f]{40}"));

        Map<BuiltInSchemes.Scheme, PasswordScheme> tuned = BuiltInSchemes.create(Map.ofEntries(
                Map.entry("argon2id.memoryKiB", "8192"),
                Map.entry("argon2id.iterations", "3"),
                Map.entry("argon2id.parallelism", "2"),
                Map.entry("argon2i.memoryKiB", "4096"),
                Map.entry("argon2i.iterations", 1),
                Map.entry("argon2i.parallelism", 1),
                Map.entry("blf-crypt.cost", " 5 "),
                Map.entry("sha512-crypt.rounds", "6000"),
                Map.entry("sha256-crypt.rounds", 7000L),
                Map.entry("crypt.rounds", "9000"),
                Map.entry("pbkdf2.rounds", "2000")));
        Map<String, String> expected = Map.of(
                "ARGON2ID", "$argon2id$v=19$m=8192,t=3,p=2$",
                "ARGON2I", "$argon2i$v=19$m=4096,t=1,p=1$",
                "BLF-CRYPT", "$2y$05$",
                "SHA512-CRYPT", "$6$rounds=6000$",
                "SHA256-CRYPT", "$5$rounds=7000$",
                "CRYPT", "$6$rounds=9000$",
                "PBKDF2", "$1$");
        tuned.forEach((row, scheme) -> {
            String hash = scheme.encode("pw");
            if (expected.containsKey(row.name())) {
                assertTrue(row.name() + " " + hash, hash.startsWith(expected.get(row.name())));
            }
            assertTrue(row.name(), scheme.verify("pw", hash));
        });
        assertEquals("2000", tuned.get(row("PBKDF2")).encode("pw").split("\\$")[3]);
    }

    @Test
    public void argon2MemoryBelowEightKiBPerLaneIsRefusedNamingTheKeys() {
        try {
            BuiltInSchemes.create(Map.of("argon2id.parallelism", "4", "argon2id.memoryKiB", "16"));
            fail("16 KiB for 4 lanes accepted");
        } catch (IllegalArgumentException expected) {
            assertEquals(
                    "keys argon2id.memoryKiB, argon2id.iterations, argon2id.parallelism: "
                            + "memory must be within 32..1048576 KiB for 4 lanes: 16",
                    expected.getMessage());
        }
    }

    @Test
    public void noNameIsInTwoRows() {
        int names = BuiltInSchemes.ALL.stream().mapToInt(s -> s.names().size()).sum();
        assertEquals(names, BuiltInSchemes.NAMES.size());
    }

    static BuiltInSchemes.Scheme row(String name) {
        return BuiltInSchemes.ALL.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
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
    public void plainComparesTheWholeValue() {
        PasswordScheme plain = schemes.get("PLAIN");
        assertFalse(plain.verify("pw", "pw2"));
        assertFalse(plain.verify("pw2", "pw"));
        assertFalse(plain.verify("pw", ""));
        assertTrue(plain.verify("pw", "pw"));
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
