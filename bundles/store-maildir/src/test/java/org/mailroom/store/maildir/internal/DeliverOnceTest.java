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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;

/** MailStore.deliverOnce on a real Maildir: a key is delivered once, whatever happened to the message since. */
public class DeliverOnceTest {

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path root;
    private MaildirStore store;

    @Before
    public void setUp() throws IOException {
        root = temp.newFolder("mail").toPath();
        store = new MaildirStore(new MaildirSettings(root, null, true));
    }

    @Test(timeout = 30_000)
    public void aKeyIsDeliveredOnceAndTheMessageComesBackByteExact() throws Exception {
        assertTrue(store.deliverOnce("alice", "q1-0", message("one")));
        assertFalse("the same key again", store.deliverOnce("alice", "q1-0", message("one again")));
        assertTrue("another key", store.deliverOnce("alice", "q1-1", message("two")));
        assertTrue("the same key in another mailbox", store.deliverOnce("bob", "q1-0", message("one")));

        List<MessageInfo> list = store.list("alice");
        assertEquals(2, list.size());
        try (InputStream in = store.open("alice", list.get(0).uid())) {
            assertArrayEquals("Subject: one\r\n\r\nbody\r\n".getBytes(UTF_8), in.readAllBytes());
        }
        assertTrue(files("alice", "new").get(0).getFileName().toString().contains("Kq1-0."));
    }

    @Test(timeout = 30_000)
    public void aDeletedMessageIsNotDeliveredAgain() throws Exception {
        assertTrue(store.deliverOnce("alice", "q2-0", message("kept")));
        String plain = store.deliver("alice", message("not keyed"));
        List<String> uids = store.list("alice").stream().map(MessageInfo::uid).toList();
        assertEquals(2, store.delete("alice", uids));

        assertFalse(store.deliverOnce("alice", "q2-0", message("kept")));
        assertTrue(store.list("alice").isEmpty());
        List<String> recorded = Files.readAllLines(root.resolve("alice").resolve(DeliveryKeys.FILE_NAME));
        assertEquals("only keyed messages are recorded: " + recorded, 1, recorded.size());
        assertTrue(recorded.get(0), recorded.get(0).startsWith("q2-0 "));
        assertFalse(plain.isEmpty());
    }

    @Test(timeout = 30_000)
    public void aMessageAnotherAgentMovedToCurStillCounts() throws Exception {
        assertTrue(store.deliverOnce("alice", "q3-0", message("moved")));
        Path inNew = files("alice", "new").get(0);
        Files.move(inNew, root.resolve("alice/cur").resolve(inNew.getFileName() + ":2,S"));
        assertFalse(store.deliverOnce("alice", "q3-0", message("moved")));
        assertEquals(1, store.list("alice").size());
    }

    @Test(timeout = 30_000)
    public void keysOutsideTheirFormAreRefused() throws Exception {
        for (String bad : new String[] {"", "UPPER", "dot.ted", "slash/x", "x".repeat(65), "spa ce"}) {
            try {
                store.deliverOnce("alice", bad, message("x"));
                fail("accepted key " + bad);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().contains("a-z"));
            }
        }
        assertFalse(Files.exists(root.resolve("alice/new"))
                && !files("alice", "new").isEmpty());
    }

    @Test(timeout = 60_000)
    public void theRecordForgetsKeysOlderThanTheRetentionWhenRewritten() throws Exception {
        Files.createDirectories(root.resolve("alice"));
        long old = Instant.now()
                .minus(Duration.ofDays(MailStore.KEY_RETENTION_DAYS + 1))
                .getEpochSecond();
        long recent = Instant.now().minus(Duration.ofDays(1)).getEpochSecond();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            lines.add("old-" + i + " " + old);
        }
        lines.add("recent-1 " + recent);
        Files.write(root.resolve("alice").resolve(DeliveryKeys.FILE_NAME), lines);

        assertTrue(store.deliverOnce("alice", "q4-0", message("x")));
        store.delete(
                "alice",
                List.of(store.list("alice").get(store.list("alice").size() - 1).uid()));

        List<String> kept = Files.readAllLines(root.resolve("alice").resolve(DeliveryKeys.FILE_NAME));
        assertEquals(2, kept.size());
        assertTrue(kept.get(0).startsWith("recent-1 "));
        assertTrue(kept.get(1).startsWith("q4-0 "));
        assertFalse(store.deliverOnce("alice", "recent-1", message("x")));
        assertTrue(store.deliverOnce("alice", "old-1", message("x")));
    }

    @Test
    public void theKeyIsReadBackFromTheFileName() {
        assertEquals("q9-3", DeliveryKeys.keyOf("1700000000.M1P2Q3Kq9-3.host,S=10,W=11:2,S"));
        assertEquals(null, DeliveryKeys.keyOf("1700000000.M1P2Q3.host,S=10,W=11"));
        assertEquals(null, DeliveryKeys.keyOf("1700000000.M1P2Q3.Khost"));
    }

    private static InputStream message(String subject) {
        return new ByteArrayInputStream(("Subject: " + subject + "\n\nbody\n").getBytes(UTF_8));
    }

    private List<Path> files(String user, String dir) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve(user).resolve(dir))) {
            return s.sorted().toList();
        }
    }
}
