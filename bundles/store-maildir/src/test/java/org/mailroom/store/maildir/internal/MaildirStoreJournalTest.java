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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;

/** The deletion journal: written before the first removal, completed after a crash, never guessed. */
public class MaildirStoreJournalTest {

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path root;
    private MaildirStore store;
    private ExecutorService executor;

    @Before
    public void setUp() throws IOException {
        root = temp.newFolder("mail").toPath();
        store = new MaildirStore(new MaildirSettings(root, null, true));
    }

    @After
    public void tearDown() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Test(timeout = 30_000)
    public void journalIsWrittenBeforeTheFirstRemovalAndRemovedAfterTheLast() throws Exception {
        for (boolean fsync : new boolean[] {true, false}) {
            store.configure(new MaildirSettings(root, null, fsync));
            String user = "alice-" + fsync;
            String a = deliver(user, "Subject: a\n\na\n");
            String b = deliver(user, "Subject: b\n\nb\n");
            String c = deliver(user, "Subject: c\n\nc\n");
            Path seen = moveToCur(user, b, ":2,S");
            Path newA = file(user, a);
            Path mailbox = root.resolve(user);
            List<String> journaled = new ArrayList<>();
            store.beforeRemoval(journal -> {
                journaled.addAll(Files.readAllLines(journal, UTF_8));
                assertTrue(
                        "nothing is removed before the journal is in place", Files.exists(newA) && Files.exists(seen));
                assertFalse(Files.exists(mailbox.resolve(ExpungeJournal.TEMP_NAME)));
            });

            assertEquals(2, store.delete(user, List.of(b, a)));

            assertEquals(
                    List.of("mailroom-expunge 1", "cur/" + seen.getFileName(), "new/" + newA.getFileName(), "end"),
                    journaled);
            assertFalse(Files.exists(mailbox.resolve(ExpungeJournal.FILE_NAME)));
            assertEquals(Set.of("tmp", "new", "cur"), names(mailbox));
            assertEquals(List.of(c), uids(store, user));
        }
    }

    @Test(timeout = 30_000)
    public void deletionThatFailsAfterItsJournalIsCompletedOnTheNextUse() throws Exception {
        String a = deliver("alice", "Subject: a\n\na\n");
        String b = deliver("alice", "Subject: b\n\nb\n");
        String c = deliver("alice", "Subject: c\n\nc\n");
        store.beforeRemoval(journal -> {
            throw new IOException("simulated crash");
        });
        try {
            store.delete("alice", List.of(a, c));
            fail("the simulated crash was not reported");
        } catch (StoreException expected) {
            assertTrue(expected.isTemporary());
            assertTrue(expected.getMessage(), expected.getMessage().contains("completed on the next access"));
        }
        assertTrue(Files.exists(root.resolve("alice").resolve(ExpungeJournal.FILE_NAME)));
        assertEquals(3, filesIn("alice").size());

        assertEquals(List.of(b), uids(new MaildirStore(new MaildirSettings(root, null, true)), "alice"));
        assertFalse(Files.exists(root.resolve("alice").resolve(ExpungeJournal.FILE_NAME)));
    }

    private interface FirstUse {
        void run(MaildirStore store, String user, String kept) throws Exception;
    }

    /** A journal written by hand, as a crash leaves it, is completed by whatever uses the mailbox first. */
    @Test(timeout = 30_000)
    public void journalLeftBehindIsCompletedBeforeTheMailboxIsUsed() throws Exception {
        Map<String, FirstUse> firstUses = new LinkedHashMap<>();
        firstUses.put("list", (fresh, user, kept) -> assertEquals(List.of(kept), uids(fresh, user)));
        firstUses.put(
                "open",
                (fresh, user, kept) ->
                        assertArrayEquals(Wire.of("Subject: b\n\nb\n".getBytes(UTF_8)), readAll(fresh, user, kept)));
        firstUses.put("delete", (fresh, user, kept) -> assertEquals(0, fresh.delete(user, List.of())));
        firstUses.put("deliver", (fresh, user, kept) -> fresh.deliver(user, stream("Subject: new\n\nnew\n")));
        firstUses.put("start", (fresh, user, kept) -> assertEquals(1, fresh.completeInterruptedDeletions()));
        for (Map.Entry<String, FirstUse> use : firstUses.entrySet()) {
            String user = use.getKey();
            String a = deliver(user, "Subject: a\n\na\n");
            String b = deliver(user, "Subject: b\n\nb\n");
            String c = deliver(user, "Subject: c\n\nc\n");
            Path journal = writeJournal(user, "new/" + a, "new/" + c);

            use.getValue().run(new MaildirStore(new MaildirSettings(root, null, true)), user, b);

            assertFalse(user, Files.exists(journal));
            Set<String> onDisk = filesIn(user).stream()
                    .map(p -> MaildirNames.uid(p.getFileName().toString()))
                    .collect(Collectors.toSet());
            assertTrue(user + ": " + onDisk, onDisk.contains(b) && !onDisk.contains(a) && !onDisk.contains(c));
            assertEquals(user, user.equals("deliver") ? 2 : 1, onDisk.size());
        }
    }

    @Test(timeout = 30_000)
    public void deleteCountsOnlyItsOwnMessagesAfterCompletingAJournal() throws Exception {
        String a = deliver("alice", "Subject: a\n\na\n");
        String b = deliver("alice", "Subject: b\n\nb\n");
        String c = deliver("alice", "Subject: c\n\nc\n");
        writeJournal("alice", "new/" + file("alice", a).getFileName());
        MaildirStore fresh = new MaildirStore(new MaildirSettings(root, null, true));
        assertEquals(1, fresh.delete("alice", List.of(b, a)));
        assertEquals(List.of(c), uids(fresh, "alice"));
    }

    @Test(timeout = 30_000)
    public void journaledFileRenamedByAnotherAgentIsStillRemoved() throws Exception {
        String a = deliver("alice", "Subject: a\n\na\n");
        String b = deliver("alice", "Subject: b\n\nb\n");
        String c = deliver("alice", "Subject: c\n\nc\n");
        Path newA = file("alice", a);
        Path curB = moveToCur("alice", b, ":2,S");
        writeJournal("alice", "new/" + newA.getFileName(), "cur/" + curB.getFileName());
        moveToCur("alice", a, ":2,S");
        Files.move(curB, curB.resolveSibling(b + ":2,RS"));

        assertEquals(List.of(c), uids(new MaildirStore(new MaildirSettings(root, null, true)), "alice"));
        assertEquals(1, filesIn("alice").size());
        assertFalse(Files.exists(root.resolve("alice").resolve(ExpungeJournal.FILE_NAME)));
    }

    @Test(timeout = 30_000)
    public void uidsThatNameNoMessageInTheMailboxAreIgnored() throws Exception {
        String a = deliver("alice", "Subject: a\n\na\n");
        String bobs = deliver("bob", "Subject: bob\n\nbob\n");
        Path victim = Files.writeString(root.resolve("victim"), "not mail\n");
        List<String> uids = Arrays.asList(a, a, null, "", "../victim", "../../victim", "new/" + a, bobs, "tmp");
        List<String> journaled = new ArrayList<>();
        store.beforeRemoval(journal -> journaled.addAll(Files.readAllLines(journal, UTF_8)));

        assertEquals(1, store.delete("alice", uids));

        assertEquals(List.of("mailroom-expunge 1", "new/" + a, "end"), journaled);
        assertEquals(List.of(bobs), uids(store, "bob"));
        assertTrue(Files.exists(victim));
        assertEquals(0, store.delete("alice", List.of(a)));
        assertEquals("a uid already gone is not journaled", 3, journaled.size());
    }

    @Test(timeout = 30_000)
    public void invalidJournalIsLoggedLeftAloneAndTheMailboxStillWorks() throws Exception {
        Map<String, byte[]> journals = new LinkedHashMap<>();
        journals.put("garbage", "rm -rf /\n".getBytes(UTF_8));
        journals.put("empty", new byte[0]);
        journals.put("unknown version", "mailroom-expunge 2\nnew/@A\nend\n".getBytes(UTF_8));
        journals.put("truncated", "mailroom-expunge 1\nnew/@A\n".getBytes(UTF_8));
        journals.put("no final line end", "mailroom-expunge 1\nnew/@A\nend".getBytes(UTF_8));
        journals.put("crlf", "mailroom-expunge 1\r\nnew/@A\r\nend\r\n".getBytes(UTF_8));
        journals.put("parent", "mailroom-expunge 1\nnew/@A\nnew/../../victim\nend\n".getBytes(UTF_8));
        journals.put(
                "escaped parent", "mailroom-expunge 1\nnew/@A\nnew/%2E%2E%2F%2E%2E%2Fvictim\nend\n".getBytes(UTF_8));
        journals.put("dot dot", "mailroom-expunge 1\nnew/@A\ncur/..\nend\n".getBytes(UTF_8));
        journals.put("deeper", "mailroom-expunge 1\nnew/@A\nnew/sub/file\nend\n".getBytes(UTF_8));
        journals.put("tmp", "mailroom-expunge 1\nnew/@A\ntmp/file\nend\n".getBytes(UTF_8));
        journals.put("absolute", "mailroom-expunge 1\nnew/@A\n/etc/passwd\nend\n".getBytes(UTF_8));
        journals.put("mailbox", "mailroom-expunge 1\nnew/@A\nnew/\nend\n".getBytes(UTF_8));
        journals.put("bad escape", "mailroom-expunge 1\nnew/@A\nnew/x%4\nend\n".getBytes(UTF_8));
        journals.put(
                "not utf-8",
                ("mailroom-expunge 1\nnew/@A\nnew/\u00ff\nend\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        journals.put("directory", null);
        Path victim = Files.writeString(root.resolve("victim"), "not mail\n");
        int n = 0;
        for (Map.Entry<String, byte[]> bad : journals.entrySet()) {
            String user = "user" + n++;
            String a = deliver(user, "Subject: a\n\na\n");
            String b = deliver(user, "Subject: b\n\nb\n");
            Path journal = root.resolve(user).resolve(ExpungeJournal.FILE_NAME);
            byte[] content = bad.getValue() == null
                    ? null
                    : new String(bad.getValue(), java.nio.charset.StandardCharsets.ISO_8859_1)
                            .replace("@A", file(user, a).getFileName().toString())
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            if (content == null) {
                Files.createDirectory(journal);
            } else {
                Files.write(journal, content);
            }
            MaildirStore fresh = new MaildirStore(new MaildirSettings(root, null, true));
            String log;
            try (StderrCapture capture = new StderrCapture()) {
                assertEquals(bad.getKey(), 0, fresh.completeInterruptedDeletions());
                assertEquals(bad.getKey(), List.of(a, b), uids(fresh, user));
                assertArrayEquals(bad.getKey(), Wire.of("Subject: a\n\na\n".getBytes(UTF_8)), readAll(fresh, user, a));
                String c = fresh.deliver(user, stream("Subject: c\n\nc\n"));
                assertEquals(bad.getKey(), List.of(a, b, c), uids(fresh, user));
                log = capture.text();
            }
            assertTrue(bad.getKey() + ": " + log, log.contains("Deletion journal " + journal + " is invalid"));
            assertEquals(
                    bad.getKey() + " is logged once: " + log,
                    log.indexOf(journal.toString()),
                    log.lastIndexOf(journal.toString()));
            if (content != null) {
                assertArrayEquals(bad.getKey(), content, Files.readAllBytes(journal));
            }

            assertEquals(bad.getKey(), 1, fresh.delete(user, List.of(b)));
            assertEquals(bad.getKey(), 2, uids(fresh, user).size());
            assertFalse(bad.getKey(), Files.exists(journal));
            List<Path> aside;
            try (Stream<Path> s = Files.list(root.resolve(user))) {
                aside = s.filter(p -> p.getFileName().toString().startsWith("mailroom-expunge.invalid."))
                        .toList();
            }
            assertEquals(bad.getKey(), 1, aside.size());
            if (content != null) {
                assertArrayEquals(bad.getKey(), content, Files.readAllBytes(aside.get(0)));
            }
            assertTrue(bad.getKey(), Files.exists(victim));
        }
    }

    /** Deliveries run while journals are completed and deletions run; no delivered message is lost. */
    @Test(timeout = 120_000)
    public void journalCompletionIsSafeAgainstConcurrentDeliveries() throws Exception {
        Map<String, String> old = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            String body = "Subject: old " + i + "\n\nold\n";
            old.put(deliver("busy", body), body);
        }
        List<String> doomed = new ArrayList<>(old.keySet());
        int threads = 4;
        executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        List<Future<Map<String, String>>> deliveries = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            deliveries.add(executor.submit(() -> {
                start.await();
                Map<String, String> delivered = new HashMap<>();
                for (int i = 0; !done.get() || i < 20; i++) {
                    String body = "Subject: new " + thread + "/" + i + "\n\n" + "line\n".repeat(i % 7);
                    delivered.put(store.deliver("busy", stream(body)), body);
                }
                return delivered;
            }));
        }
        start.countDown();
        MaildirStore other = new MaildirStore(new MaildirSettings(root, null, true));
        for (int round = 0; round < 20; round++) {
            List<String> batch = doomed.subList(round * 10, round * 10 + 10);
            if (round % 2 == 0) {
                String[] entries = new String[batch.size()];
                for (int i = 0; i < entries.length; i++) {
                    entries[i] = "new/" + batch.get(i);
                }
                writeJournal("busy", entries);
                other.list("busy");
            } else {
                assertEquals(10, store.delete("busy", batch));
            }
        }
        done.set(true);
        Map<String, String> delivered = new HashMap<>();
        for (Future<Map<String, String>> f : deliveries) {
            delivered.putAll(f.get(60, TimeUnit.SECONDS));
        }
        List<MessageInfo> list = store.list("busy");
        assertEquals(delivered.keySet(), list.stream().map(MessageInfo::uid).collect(Collectors.toSet()));
        for (MessageInfo info : list) {
            assertArrayEquals(Wire.of(delivered.get(info.uid()).getBytes(UTF_8)), readAll(store, "busy", info.uid()));
        }
        assertFalse(Files.exists(root.resolve("busy").resolve(ExpungeJournal.FILE_NAME)));
    }

    /** Leaves a journal as a crash after its rename would, written independently of the code under test. */
    private Path writeJournal(String user, String... entries) throws IOException {
        StringBuilder text = new StringBuilder("mailroom-expunge 1\n");
        for (String entry : entries) {
            text.append(entry).append('\n');
        }
        Path mailbox = root.resolve(user);
        Path written = Files.writeString(mailbox.resolve("journal-by-hand"), text.append("end\n"));
        return Files.move(written, mailbox.resolve("mailroom-expunge"), StandardCopyOption.ATOMIC_MOVE);
    }

    private String deliver(String user, String message) throws StoreException {
        return store.deliver(user, stream(message));
    }

    /** The message's file, wherever it is now. */
    private Path file(String user, String uid) throws IOException {
        return filesIn(user).stream()
                .filter(p -> MaildirNames.uid(p.getFileName().toString()).equals(uid))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no file for " + uid));
    }

    private Path moveToCur(String user, String uid, String flags) throws IOException {
        Path from = file(user, uid);
        return Files.move(from, root.resolve(user).resolve("cur").resolve(uid + flags));
    }

    private List<Path> filesIn(String user) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : new String[] {"new", "cur"}) {
            try (Stream<Path> s = Files.list(root.resolve(user).resolve(dir))) {
                s.forEach(files::add);
            }
        }
        return files;
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static List<String> uids(MaildirStore store, String user) throws StoreException {
        return store.list(user).stream().map(MessageInfo::uid).toList();
    }

    private static byte[] readAll(MaildirStore store, String user, String uid) throws Exception {
        try (InputStream in = store.open(user, uid)) {
            return in.readAllBytes();
        }
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(UTF_8));
    }
}
