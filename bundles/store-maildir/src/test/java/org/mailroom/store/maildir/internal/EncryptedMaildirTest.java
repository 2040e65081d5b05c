package org.mailroom.store.maildir.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.keys.KeyException;
import org.mailroom.api.keys.KeyProvider;
import org.mailroom.api.keys.WrappedKey;
import org.mailroom.api.store.DamagedMessageException;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;
import org.mailroom.store.crypt.internal.EnvelopeCipher;

/** The Maildir store with the real envelope cipher of store-crypt: what clients see does not change. */
public class EncryptedMaildirTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Keys of the test's own: a data key is wrapped by XOR with a random pad per key id. */
    static final class PadKeys implements KeyProvider {
        final Map<String, byte[]> pads = new LinkedHashMap<>();
        volatile String current;

        PadKeys() {
            rotate("k1");
        }

        synchronized void rotate(String id) {
            byte[] pad = new byte[64];
            new SecureRandom().nextBytes(pad);
            pads.put(id, pad);
            current = id;
        }

        @Override
        public String currentKeyId() {
            return current;
        }

        @Override
        public synchronized WrappedKey wrap(byte[] dataKey) {
            return new WrappedKey(current, xor(dataKey, pads.get(current)));
        }

        @Override
        public synchronized byte[] unwrap(WrappedKey wrapped) throws KeyException {
            byte[] pad = pads.get(wrapped.keyId());
            if (pad == null) {
                throw new KeyException("no key " + wrapped.keyId(), false);
            }
            return xor(wrapped.wrapped(), pad);
        }

        private static byte[] xor(byte[] data, byte[] pad) {
            byte[] out = data.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] ^= pad[i];
            }
            return out;
        }
    }

    private final PadKeys keys = new PadKeys();
    private final Encryption encryption = new Encryption();
    private Path root;

    @Before
    public void setUp() throws IOException {
        root = tmp.newFolder("mail").toPath();
        encryption.bind(EnvelopeCipher.standalone(keys, "SM4-GCM"));
    }

    private MaildirStore store(boolean encrypt) {
        return new MaildirStore(new MaildirSettings(root, null, true, encrypt, Duration.ZERO), encryption);
    }

    private static InputStream stream(byte[] b) {
        return new ByteArrayInputStream(b);
    }

    private static byte[] read(MaildirStore store, String user, String uid) throws Exception {
        try (InputStream in = store.open(user, uid)) {
            return in.readAllBytes();
        }
    }

    /** A message with LF and CRLF line ends, a bare CR, 8-bit octets, over several segments. */
    private static byte[] message(int bodyLines) {
        StringBuilder sb = new StringBuilder("Subject: 国密 test\r\nFrom: a@example.org\n\n");
        Random random = new Random(bodyLines);
        for (int i = 0; i < bodyLines; i++) {
            sb.append("line ").append(i).append(' ').append(random.nextLong()).append(i % 7 == 0 ? "\r\n" : "\n");
        }
        sb.append("bare\rCR at the end");
        return sb.toString().getBytes(UTF_8);
    }

    @Test
    public void sizesUidsAndOctetsAreWhatAPlainStoreGives() throws Exception {
        MaildirStore plain =
                new MaildirStore(new MaildirSettings(tmp.newFolder("plain").toPath(), null, true));
        MaildirStore encrypted = store(true);
        List<byte[]> messages = List.of(new byte[0], message(1), message(3000), message(40_000));
        for (byte[] m : messages) {
            plain.deliver("alice", stream(m));
            encrypted.deliver("alice", stream(m));
        }
        List<MessageInfo> p = plain.list("alice");
        List<MessageInfo> e = encrypted.list("alice");
        assertEquals(p.size(), e.size());
        for (int i = 0; i < p.size(); i++) {
            assertEquals("size of message " + i, p.get(i).size(), e.get(i).size());
            assertArrayEquals(
                    "octets of message " + i,
                    read(plain, "alice", p.get(i).uid()),
                    read(encrypted, "alice", e.get(i).uid()));
        }
        // A fresh store (after a restart) lists from the names alone and reads the same.
        MaildirStore restarted = store(true);
        List<MessageInfo> again = restarted.list("alice");
        for (int i = 0; i < p.size(); i++) {
            assertEquals(e.get(i).uid(), again.get(i).uid());
            assertEquals(p.get(i).size(), again.get(i).size());
            assertArrayEquals(
                    read(plain, "alice", p.get(i).uid()),
                    read(restarted, "alice", again.get(i).uid()));
        }
        for (Path file : files("alice")) {
            byte[] onDisk = Files.readAllBytes(file);
            assertTrue(file + " is an envelope", MessageCipher.isEnvelope(onDisk, onDisk.length));
            assertFalse(new String(onDisk, UTF_8).contains("Subject"));
        }
    }

    @Test
    public void mailFromBeforeEncryptionStaysReadableBesideEncryptedMail() throws Exception {
        String old = store(false).deliver("bob", stream("Subject: old\n\nplain\n".getBytes(UTF_8)));
        MaildirStore store = store(true);
        String fresh = store.deliver("bob", stream("Subject: new\n\nsealed\n".getBytes(UTF_8)));
        assertEquals("Subject: old\r\n\r\nplain\r\n", new String(read(store, "bob", old), UTF_8));
        assertEquals("Subject: new\r\n\r\nsealed\r\n", new String(read(store, "bob", fresh), UTF_8));
        assertEquals(
                List.of((long) "Subject: old\r\n\r\nplain\r\n".length(), (long)
                        "Subject: new\r\n\r\nsealed\r\n".length()),
                store.list("bob").stream().map(MessageInfo::size).toList());
    }

    @Test
    public void aTamperedOrTruncatedMessageIsRefusedAndNamedInTheLogWhileOthersAreServed() throws Exception {
        MaildirStore store = store(true);
        String good = store.deliver("carol", stream(message(100)));
        String tampered = store.deliver("carol", stream(message(5000)));
        String cut = store.deliver("carol", stream(message(5000)));
        Path tamperedFile = file("carol", tampered);
        byte[] b = Files.readAllBytes(tamperedFile);
        b[b.length / 2] ^= 0x01;
        Files.write(tamperedFile, b);
        Path cutFile = file("carol", cut);
        byte[] c = Files.readAllBytes(cutFile);
        Files.write(cutFile, java.util.Arrays.copyOf(c, c.length - 100));

        MaildirStore restarted = store(true);
        try (StderrCapture log = new StderrCapture()) {
            assertDamaged(restarted, "carol", tampered);
            assertDamaged(restarted, "carol", cut);
            assertTrue(
                    log.text(), log.text().contains("Message " + tampered + " of carol is damaged and is not served"));
            assertTrue(log.text(), log.text().contains(tamperedFile.toString()));
            assertTrue(log.text(), log.text().contains(cutFile.toString()));
        }
        assertArrayEquals(
                read(new MaildirStore(new MaildirSettings(root, null, true), encryption), "carol", good),
                read(restarted, "carol", good));
        assertEquals("the listing is unchanged", 3, restarted.list("carol").size());
    }

    @Test
    public void withoutTheCipherEncryptingDeliveriesAndEncryptedReadsFailTemporarily() throws Exception {
        MaildirStore store = store(true);
        String sealed = store.deliver("dave", stream("Subject: x\n\nx\n".getBytes(UTF_8)));
        MessageCipher cipher = encryption.current();
        encryption.unbind(cipher);
        try {
            store.deliver("dave", stream("Subject: y\n\ny\n".getBytes(UTF_8)));
            fail("delivered without the cipher");
        } catch (StoreException e) {
            assertTrue(e.getMessage(), e.isTemporary() && e.getMessage().contains("no message cipher is registered"));
        }
        try {
            read(store, "dave", sealed);
            fail("served without the cipher");
        } catch (StoreException e) {
            assertTrue(e.getMessage(), e.isTemporary());
        }
        assertEquals("no half-written file is left", 1, store.list("dave").size());
        try (Stream<Path> left = Files.list(root.resolve("dave/tmp"))) {
            assertEquals(0, left.count());
        }
        String plain = store(false).deliver("dave", stream("Subject: z\n\nz\n".getBytes(UTF_8)));
        assertEquals("Subject: z\r\n\r\nz\r\n", new String(read(store, "dave", plain), UTF_8));
        encryption.bind(cipher);
        assertEquals("Subject: x\r\n\r\nx\r\n", new String(read(store, "dave", sealed), UTF_8));
    }

    @Test
    public void rewrapMovesEveryEnvelopeToTheCurrentKeyAndTheOldKeyCanGo() throws Exception {
        MaildirStore store = store(true);
        List<String> uids = new ArrayList<>();
        for (String user : new String[] {"erin", "frank"}) {
            for (int i = 0; i < 3; i++) {
                uids.add(user + "/" + store.deliver(user, stream(message(100 * i + 1))));
            }
        }
        store(false).deliver("erin", stream("Subject: plain\n\nplain\n".getBytes(UTF_8)));
        Map<String, byte[]> before = new LinkedHashMap<>();
        for (String u : uids) {
            String[] p = u.split("/");
            before.put(u, read(store, p[0], p[1]));
        }
        keys.rotate("k2");
        Rewrap.Result result = store.rewrap(null, (box, rewrapped, current, plain, failed) -> {});
        assertEquals(new Rewrap.Result(2, 6, 0, 1, 0), result);
        assertEquals(new Rewrap.Result(1, 0, 3, 1, 0), store.rewrap("erin", (box, r, c, p, f) -> {}));

        keys.pads.remove("k1");
        MaildirStore restarted = store(true);
        for (String u : uids) {
            String[] p = u.split("/");
            assertArrayEquals(u, before.get(u), read(restarted, p[0], p[1]));
        }
        assertEquals(4, restarted.list("erin").size());
    }

    private void assertDamaged(MaildirStore store, String user, String uid) throws Exception {
        try {
            read(store, user, uid);
            fail(uid + " served");
        } catch (DamagedMessageException e) {
            assertFalse(e.isTemporary());
        }
    }

    private List<Path> files(String user) throws IOException {
        List<Path> all = new ArrayList<>();
        for (String dir : MaildirFiles.MESSAGE_DIRS) {
            Path d = root.resolve(user).resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.forEach(all::add);
                }
            }
        }
        return all;
    }

    private Path file(String user, String uid) throws IOException {
        return files(user).stream()
                .filter(p -> MaildirNames.uid(p.getFileName().toString()).equals(uid))
                .findFirst()
                .orElseThrow();
    }
}
