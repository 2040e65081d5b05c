package org.mailroom.auth.sm3.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.Test;

public class Sm3SchemesTest {

    private static final HexFormat HEX = HexFormat.of();

    /** GB/T 32905-2016 appendix A, examples 1 and 2. */
    @Test
    public void sm3KnownAnswersOfGbT32905() {
        assertEquals(
                "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
                HEX.formatHex(Sm3.digest("abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(
                "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
                HEX.formatHex(Sm3.digest("abcd".repeat(16).getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    public void pbkdf2Sm3AgreesWithOpenssl() throws Exception {
        String[][] cases = {{"password", "saltsaltsaltsalt"}, {"密码口令", "./AZaz09"}, {"", "x"}};
        for (String[] c : cases) {
            for (int rounds : new int[] {1, 2, 1000}) {
                assertEquals(
                        c[0] + " / " + c[1] + " / " + rounds,
                        Openssl.pbkdf2Sm3(c[0], c[1], rounds, 32),
                        HEX.formatHex(Sm3.pbkdf2(Sm3.utf8(c[0]), Sm3.utf8(c[1]), rounds, 32)));
            }
        }
        // A key longer than one SM3 block: PBKDF2's second block.
        assertEquals(
                Openssl.pbkdf2Sm3("password", "salt", 2, 48),
                HEX.formatHex(Sm3.pbkdf2(Sm3.utf8("password"), Sm3.utf8("salt"), 2, 48)));
    }

    @Test
    public void aNewSm3Pbkdf2HashIsWhatOpensslDerivesFromItsSaltAndRounds() throws Exception {
        Sm3Pbkdf2Scheme scheme = new Sm3Pbkdf2Scheme(1000);
        String encoded = scheme.encode("安全 secret");
        String[] f = encoded.split("\\$");
        assertEquals(encoded, 5, f.length);
        assertEquals("1", f[1]);
        assertEquals(16, f[2].length());
        assertEquals("1000", f[3]);
        assertEquals(Openssl.pbkdf2Sm3("安全 secret", f[2], 1000, 32), f[4]);
        assertTrue(scheme.verify("安全 secret", encoded));
        assertFalse(scheme.verify("安全 Secret", encoded));
        assertFalse("a fresh salt each time", encoded.equals(scheme.encode("安全 secret")));
    }

    @Test
    public void storedRoundsWinOverTheConfiguredOnes() throws Exception {
        String stored = "$1$saltsaltsaltsalt$2000$" + Openssl.pbkdf2Sm3("pw", "saltsaltsaltsalt", 2000, 32);
        assertTrue(new Sm3Pbkdf2Scheme(1000).verify("pw", stored));
        assertTrue(new Sm3Pbkdf2Scheme(50_000).verify("pw", stored));
    }

    @Test
    public void malformedSm3Pbkdf2ValuesNeverMatch() {
        Sm3Pbkdf2Scheme scheme = new Sm3Pbkdf2Scheme(1000);
        String good = scheme.encode("pw");
        String key = good.substring(good.lastIndexOf('$') + 1);
        for (String bad : new String[] {
            "",
            "$1$salt$1000",
            "$2$salt$1000$" + key,
            "$1$$1000$" + key,
            "$1$salt$x$" + key,
            "$1$salt$0$" + key,
            "$1$salt$200000000$" + key,
            "$1$salt$1000$zz",
            "$1$salt$1000$",
            "$1$salt$1000$" + key + "$"
        }) {
            assertFalse(bad, scheme.verify("pw", bad));
        }
    }

    @Test
    public void plainSm3AcceptsOpensslsHexAndBase64() throws Exception {
        byte[] digest = Openssl.sm3("口令 pw".getBytes(StandardCharsets.UTF_8));
        Sm3DigestScheme plain = new Sm3DigestScheme(false);
        assertTrue(plain.verify("口令 pw", HEX.formatHex(digest)));
        assertTrue(plain.verify("口令 pw", HEX.formatHex(digest).toUpperCase(java.util.Locale.ROOT)));
        assertTrue(plain.verify("口令 pw", Base64.getEncoder().encodeToString(digest)));
        assertFalse(plain.verify("口令 Pw", HEX.formatHex(digest)));
        assertEquals(Base64.getEncoder().encodeToString(digest), plain.encode("口令 pw"));
        assertFalse(plain.verify("口令 pw", "not base64!"));
        assertFalse(plain.verify("口令 pw", Base64.getEncoder().encodeToString(new byte[31])));
    }

    @Test
    public void saltedSm3IsTheDigestOfPasswordAndSaltThenTheSalt() throws Exception {
        byte[] salt = "NaCl-salt".getBytes(StandardCharsets.US_ASCII);
        byte[] pw = "pw".getBytes(StandardCharsets.US_ASCII);
        byte[] both = new byte[pw.length + salt.length];
        System.arraycopy(pw, 0, both, 0, pw.length);
        System.arraycopy(salt, 0, both, pw.length, salt.length);
        byte[] digest = Openssl.sm3(both);
        byte[] stored = new byte[digest.length + salt.length];
        System.arraycopy(digest, 0, stored, 0, digest.length);
        System.arraycopy(salt, 0, stored, digest.length, salt.length);

        Sm3DigestScheme salted = new Sm3DigestScheme(true);
        assertTrue(salted.verify("pw", Base64.getEncoder().encodeToString(stored)));
        assertFalse(salted.verify("pW", Base64.getEncoder().encodeToString(stored)));
        assertFalse("no salt", salted.verify("pw", Base64.getEncoder().encodeToString(digest)));
        String fresh = salted.encode("pw");
        assertTrue(salted.verify("pw", fresh));
        assertFalse(fresh.equals(salted.encode("pw")));
    }
}
