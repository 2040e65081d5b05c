package org.mailroom.tls.sm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SmCredentialsTest {

    @ClassRule
    public static final TemporaryFolder DIR = new TemporaryFolder();

    private static SmTestFiles files;

    @BeforeClass
    public static void makeFiles() throws Exception {
        files = SmTestFiles.create(DIR.getRoot(), "cred");
    }

    @Test
    public void loadsOpensslPkcs8KeyAndCertificate() throws Exception {
        SmCredentials credentials = SmCredentials.load(files.key, files.cert);
        assertEquals(1, credentials.chain().size());
        assertTrue(java.util.Arrays.equals(
                SmTestFiles.certificateDer(files.cert), credentials.chain().get(0)));
    }

    @Test
    public void loadsSec1Keys() throws Exception {
        // openssl 3 writes SEC 1 SM2 keys as "SM2 PRIVATE KEY"; older tools call the same DER "EC PRIVATE KEY"
        Path sm2 = DIR.getRoot().toPath().resolve("sec1-sm2.pem");
        SmTestFiles.openssl(DIR.getRoot(), "ec", "-in", files.key.toString(), "-out", sm2.toString());
        String pem = Files.readString(sm2, StandardCharsets.US_ASCII);
        assertTrue(pem, pem.startsWith("-----BEGIN SM2 PRIVATE KEY-----"));
        SmCredentials.load(sm2, files.cert);
        Path ec = DIR.getRoot().toPath().resolve("sec1-ec.pem");
        Files.writeString(ec, pem.replace("SM2 PRIVATE KEY", "EC PRIVATE KEY"), StandardCharsets.US_ASCII);
        SmCredentials.load(ec, files.cert);
    }

    @Test
    public void refusesANonSm2Key() throws Exception {
        Path p256 = DIR.getRoot().toPath().resolve("p256.pem");
        SmTestFiles.openssl(
                DIR.getRoot(),
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                p256.toString());
        assertRefused(p256, files.cert, p256 + ": the private key is not on the SM2 curve");
    }

    @Test
    public void refusesSwappedFiles() throws Exception {
        assertRefused(files.cert, files.cert, files.cert + ": holds a \"CERTIFICATE\", not an SM2 private key");
        assertRefused(files.key, files.key, files.key + ": holds a PrivateKeyInfo where only X.509 certificates");
        Path empty = Files.writeString(DIR.getRoot().toPath().resolve("empty.pem"), "");
        assertRefused(empty, files.cert, empty + ": no PEM object");
        assertRefused(files.key, empty, empty + ": no CERTIFICATE");
    }

    @Test
    public void refusesACertificateOfAnotherKey() throws Exception {
        SmTestFiles other = SmTestFiles.create(DIR.getRoot(), "other");
        assertRefused(other.key, files.cert, "does not belong to the private key in " + other.key);
    }

    private static void assertRefused(Path key, Path cert, String expected) {
        try {
            SmCredentials.load(key, cert);
            fail("accepted " + key + " and " + cert);
        } catch (SmCredentials.CredentialsException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(expected));
        }
    }
}
