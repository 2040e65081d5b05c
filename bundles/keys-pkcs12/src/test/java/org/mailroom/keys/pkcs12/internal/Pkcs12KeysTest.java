package org.mailroom.keys.pkcs12.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.keys.KeyException;
import org.mailroom.api.keys.WrappedKey;

public class Pkcs12KeysTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Map<String, Object> config(String algorithm) {
        Map<String, Object> p = new HashMap<>();
        p.put("keystore", tmp.getRoot().toPath().resolve("keys/store.p12").toString());
        p.put(
                "passwordFile",
                tmp.getRoot().toPath().resolve("keys/store.password").toString());
        p.put("keyAlgorithm", algorithm);
        p.put("generate", "true");
        return p;
    }

    private Pkcs12Keys keys(Map<String, Object> config) throws IOException {
        return new Pkcs12Keys(Pkcs12Settings.from(config));
    }

    @Test
    public void aMissingKeystoreIsCreatedPrivateWithOneKeyThatWrapsAndUnwraps() throws Exception {
        for (String algorithm : new String[] {"SM4", "AES-256"}) {
            Map<String, Object> config = config(algorithm);
            Pkcs12Keys keys = keys(config);
            Path store = Path.of((String) config.get("keystore"));
            Path password = Path.of((String) config.get("passwordFile"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(password)));
            List<Pkcs12Keys.Kek> all = keys.list();
            assertEquals(1, all.size());
            assertEquals(algorithm, all.get(0).algorithm().displayName);
            assertEquals(all.get(0).alias(), keys.currentKeyId());

            byte[] dataKey = "0123456789abcdef0123456789abcdef".getBytes();
            WrappedKey wrapped = keys.wrap(dataKey);
            assertEquals(keys.currentKeyId(), wrapped.keyId());
            assertArrayEquals(dataKey, keys.unwrap(wrapped));
            assertArrayEquals(
                    "a second start reads the same key", dataKey, keys(config).unwrap(wrapped));
            Files.delete(store);
            Files.delete(password);
        }
    }

    @Test
    public void rotationAddsACurrentKeyAndOldWrappingsStillUnwrap() throws Exception {
        Pkcs12Keys keys = keys(config("SM4"));
        String first = keys.currentKeyId();
        WrappedKey old = keys.wrap(new byte[16]);
        String second = keys.rotate();
        assertNotEquals(first, second);
        assertEquals(second, keys.currentKeyId());
        assertEquals(second, keys.wrap(new byte[16]).keyId());
        assertArrayEquals(new byte[16], keys.unwrap(old));
        assertEquals(
                List.of(first, second),
                keys.list().stream().map(Pkcs12Keys.Kek::alias).toList());
        String third = keys.rotate();
        assertNotEquals(second, third);
    }

    @Test
    public void tamperedOrForeignWrappingsAreRefusedPermanently() throws Exception {
        Pkcs12Keys keys = keys(config("AES-256"));
        WrappedKey wrapped = keys.wrap(new byte[32]);
        byte[] octets = wrapped.wrapped();
        octets[octets.length - 1] ^= 1;
        assertRefused(keys, new WrappedKey(wrapped.keyId(), octets), "fails authentication");
        assertRefused(keys, new WrappedKey("kek-nope", wrapped.wrapped()), "no key kek-nope");
        String other = keys.rotate();
        assertRefused(keys, new WrappedKey(other, wrapped.wrapped()), "fails authentication");
    }

    /** keytool, the JDK's own tool, makes the AES keys an operator brings. */
    @Test
    public void aKeyMadeWithKeytoolIsUsedAndCanBePinned() throws Exception {
        Map<String, Object> config = config("AES-256");
        config.put("generate", "false");
        Path store = Path.of((String) config.get("keystore"));
        Files.createDirectories(store.getParent());
        Files.writeString(Path.of((String) config.get("passwordFile")), "s3cret-store\n");
        keytool(store, "ops-2026");
        Pkcs12Keys keys = keys(config);
        assertEquals("ops-2026", keys.currentKeyId());
        assertArrayEquals(new byte[32], keys.unwrap(keys.wrap(new byte[32])));

        keytool(store, "ops-2027");
        config.put("currentKey", "ops-2026");
        assertEquals("pinned", "ops-2026", keys(config).currentKeyId());
        config.put("currentKey", "ops-1999");
        try {
            keys(config);
            fail();
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("has no key ops-1999 (key currentKey)"));
        }
    }

    @Test
    public void anOutsideChangeIsReadAgainAndABrokenFileKeepsTheKeys() throws Exception {
        Map<String, Object> config = config("SM4");
        Pkcs12Keys keys = new Pkcs12Keys(Pkcs12Settings.from(config), 0);
        Pkcs12Keys other = keys(config);
        WrappedKey before = keys.wrap(new byte[16]);
        String added = other.rotate();
        Path store = Path.of((String) config.get("keystore"));
        // A rewrite within the file system's time resolution: the size or time still differs.
        Files.setLastModifiedTime(store, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(added, keys.currentKeyId());

        Files.writeString(store, "garbage");
        assertEquals("the keys read before stay", added, keys.currentKeyId());
        assertArrayEquals(new byte[16], keys.unwrap(before));
    }

    @Test
    public void badSettingsAndFilesNameTheirKeyOrFile() throws Exception {
        Map<String, Object> config = config("SM4");
        config.put("keyAlgorithm", "DES");
        assertBad(config, "key keyAlgorithm: unknown key algorithm DES (SM4 or AES-256)");
        config = config("SM4");
        config.remove("keystore");
        assertBad(config, "key keystore: missing");
        config = config("SM4");
        config.put("generate", "yes");
        assertBad(config, "key generate: true or false, not yes");

        config = config("SM4");
        keys(config);
        Files.writeString(Path.of((String) config.get("passwordFile")), "wrong\n");
        try {
            keys(config);
            fail();
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("wrong password in"));
        }
        config.put("generate", "false");
        config.put("keystore", tmp.getRoot().toPath().resolve("absent.p12").toString());
        try {
            keys(config);
            fail();
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("absent.p12 does not exist (key keystore)"));
        }
    }

    private static void assertRefused(Pkcs12Keys keys, WrappedKey wrapped, String reason) {
        try {
            keys.unwrap(wrapped);
            fail(reason);
        } catch (KeyException e) {
            assertFalse(e.isTemporary());
            assertTrue(e.getMessage(), e.getMessage().contains(reason));
        }
    }

    private static void assertBad(Map<String, Object> config, String message) {
        try {
            Pkcs12Settings.from(config);
            fail(message);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }

    private static void keytool(Path store, String alias) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(
                        keytool.toString(),
                        "-genseckey",
                        "-alias",
                        alias,
                        "-keyalg",
                        "AES",
                        "-keysize",
                        "256",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        "s3cret-store")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
    }
}
