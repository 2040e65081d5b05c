package org.mailroom.store.crypt.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.Test;
import org.mailroom.api.store.DamagedMessageException;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.StoreException;

public class EnvelopeCipherTest {

    private static final int SEGMENT = Envelope.SEGMENT_OCTETS;

    private final TestKeys keys = new TestKeys();

    private EnvelopeCipher cipher(String algorithm) {
        return new EnvelopeCipher(keys, CipherSettings.from(Map.of("algorithm", algorithm, "keyWaitMillis", "0")));
    }

    private static byte[] message(int length, long seed) {
        byte[] m = new byte[length];
        new Random(seed).nextBytes(m);
        return m;
    }

    private static byte[] seal(MessageCipher cipher, byte[] plain) throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out = cipher.encrypt(file)) {
            // Odd write sizes: segment boundaries never line up with writes.
            for (int i = 0; i < plain.length; i += 1000) {
                out.write(plain, i, Math.min(1000, plain.length - i));
            }
        }
        return file.toByteArray();
    }

    private static byte[] open(MessageCipher cipher, byte[] file) throws Exception {
        try (InputStream in = cipher.decrypt(new ByteArrayInputStream(file), "msg")) {
            return in.readAllBytes();
        }
    }

    @Test
    public void messagesOfEverySizeRoundTripInBothAlgorithms() throws Exception {
        for (String algorithm : new String[] {"SM4-GCM", "AES-256-GCM"}) {
            EnvelopeCipher cipher = cipher(algorithm);
            assertEquals(algorithm, cipher.algorithm());
            for (int length : new int[] {0, 1, 17, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT, 200_001}) {
                byte[] plain = message(length, length);
                byte[] file = seal(cipher, plain);
                assertTrue(MessageCipher.isEnvelope(file, file.length));
                int segments = Math.max(1, (length + SEGMENT - 1) / SEGMENT);
                assertEquals(
                        algorithm + " " + length,
                        length + segments * Envelope.TAG_OCTETS,
                        file.length - headerLength(file));
                assertArrayEquals(algorithm + " " + length, plain, open(cipher, file));
                cipher.verify(new ByteArrayInputStream(file), "msg");
                assertFalse(
                        "the plaintext is not in the file", length > 16 && contains(file, Arrays.copyOf(plain, 16)));
            }
        }
    }

    @Test
    public void theSameMessageEncryptsDifferentlyEachTime() throws Exception {
        EnvelopeCipher cipher = cipher("SM4-GCM");
        byte[] plain = message(1000, 1);
        assertFalse(Arrays.equals(seal(cipher, plain), seal(cipher, plain)));
    }

    @Test
    public void aFlippedOctetAnywhereIsDetectedAndNoPlaintextOfItsSegmentIsServed() throws Exception {
        EnvelopeCipher cipher = cipher("SM4-GCM");
        byte[] plain = message(3 * SEGMENT + 100, 7);
        byte[] file = seal(cipher, plain);
        int header = headerLength(file);
        int[] positions = {8, 9, 12, 15, 20, 22, header - 1, header, header + SEGMENT + 5, file.length - 1};
        for (int position : positions) {
            byte[] damaged = file.clone();
            damaged[position] ^= 0x01;
            assertDamaged("octet " + position, cipher, damaged);
        }
        // Served up to the damaged segment, never a byte of it.
        byte[] damaged = file.clone();
        damaged[header + 2 * (SEGMENT + Envelope.TAG_OCTETS) + 3] ^= 0x40;
        ByteArrayOutputStream served = new ByteArrayOutputStream();
        try (InputStream in = cipher.decrypt(new ByteArrayInputStream(damaged), "msg")) {
            byte[] buffer = new byte[4096];
            int r;
            while ((r = in.read(buffer)) >= 0) {
                served.write(buffer, 0, r);
            }
            fail("read to the end");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("msg: segment 2 fails authentication"));
        }
        assertArrayEquals(Arrays.copyOf(plain, 2 * SEGMENT), served.toByteArray());
    }

    @Test
    public void truncatedReorderedAndExtendedFilesAreDetected() throws Exception {
        EnvelopeCipher cipher = cipher("AES-256-GCM");
        byte[] file = seal(cipher, message(2 * SEGMENT + 10, 3));
        int header = headerLength(file);
        int sealedSegment = SEGMENT + Envelope.TAG_OCTETS;
        assertDamaged("cut inside the last segment", cipher, Arrays.copyOf(file, file.length - 1));
        assertDamaged("cut at a segment boundary", cipher, Arrays.copyOf(file, header + 2 * sealedSegment));
        assertDamaged("cut after the first segment", cipher, Arrays.copyOf(file, header + sealedSegment));
        assertDamaged("only the header", cipher, Arrays.copyOf(file, header));
        assertDamaged("cut in the header", cipher, Arrays.copyOf(file, header - 3));
        byte[] swapped = file.clone();
        System.arraycopy(file, header, swapped, header + sealedSegment, sealedSegment);
        System.arraycopy(file, header + sealedSegment, swapped, header, sealedSegment);
        assertDamaged("two segments swapped", cipher, swapped);
        byte[] longer = Arrays.copyOf(file, file.length + 1);
        assertDamaged("an octet appended", cipher, longer);
    }

    @Test
    public void rewrapMovesTheDataKeyToTheCurrentKeyAndLeavesTheBodyAlone() throws Exception {
        EnvelopeCipher cipher = cipher("SM4-GCM");
        byte[] plain = message(SEGMENT + 5, 11);
        byte[] file = seal(cipher, plain);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertFalse("already under k1", cipher.rewrap(new ByteArrayInputStream(file), out, "msg"));
        assertEquals(0, out.size());

        keys.rotate("k2");
        assertTrue(cipher.rewrap(new ByteArrayInputStream(file), out, "msg"));
        byte[] rewrapped = out.toByteArray();
        assertEquals(
                "k2",
                Envelope.readHeader(new ByteArrayInputStream(rewrapped)).key().keyId());
        byte[] oldBody = Arrays.copyOfRange(file, headerLength(file), file.length);
        byte[] newBody = Arrays.copyOfRange(rewrapped, headerLength(rewrapped), rewrapped.length);
        assertArrayEquals("the body is not re-encrypted", oldBody, newBody);
        keys.forget("k1");
        assertArrayEquals(plain, open(cipher, rewrapped));
        assertDamaged("under a key that is gone", cipher, file);
    }

    @Test
    public void withoutAKeyProviderEncryptionIsATemporaryFailure() throws Exception {
        EnvelopeCipher cipher =
                new EnvelopeCipher(null, CipherSettings.from(Map.of("algorithm", "SM4-GCM", "keyWaitMillis", "0")));
        try {
            cipher.encrypt(new ByteArrayOutputStream());
            fail();
        } catch (StoreException e) {
            assertTrue(e.isTemporary());
            assertFalse(e instanceof DamagedMessageException);
        }
    }

    @Test
    public void badSettingsNameTheirKey() {
        for (Map<String, String> bad :
                new Map[] {Map.of("algorithm", "DES"), Map.of("keyWaitMillis", "soon"), Map.of("keyWaitMillis", "-1")
                }) {
            try {
                CipherSettings.from(bad);
                fail(bad.toString());
            } catch (IllegalArgumentException e) {
                assertTrue(
                        e.getMessage(),
                        e.getMessage()
                                .startsWith("key " + bad.keySet().iterator().next() + ": "));
            }
        }
    }

    private static void assertDamaged(String what, MessageCipher cipher, byte[] file) {
        try {
            cipher.verify(new ByteArrayInputStream(file), "msg");
            fail(what + ": verified");
        } catch (DamagedMessageException e) {
            assertTrue(what + ": " + e.getMessage(), e.getMessage().startsWith("msg: "));
        } catch (StoreException e) {
            throw new AssertionError(what + ": not reported as damaged: " + e, e);
        }
    }

    private static int headerLength(byte[] file) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(file);
        Envelope.readHeader(in);
        return file.length - in.available();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
