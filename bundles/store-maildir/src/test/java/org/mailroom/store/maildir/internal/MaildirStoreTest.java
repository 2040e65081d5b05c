package org.mailroom.store.maildir.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.MessageNotFoundException;
import org.mailroom.api.store.StoreException;

public class MaildirStoreTest {

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
    public void deliveredMessagesComeBackByteExactInWireForm() throws Exception {
        String[] inputs = {
            "Subject: lf\n\nbody\n.dot line\n..two dots\n.\n",
            "Subject: crlf\r\n\r\nbody\r\n.dot line\r\n..two dots\r\n.\r\n",
            "Subject: =?utf-8?q?x?=\nContent-Type: text/plain; charset=utf-8\n\nGrüße, 日本語, ñ — 8bit\n",
            "Subject: no trailing newline\n\nlast line",
            "Subject: mixed\r\n\nbare\rcr\n\r\n",
            "Subject: ends in cr\n\nx\r",
        };
        Map<String, byte[]> expected = new HashMap<>();
        for (String input : inputs) {
            byte[] bytes = input.getBytes(UTF_8);
            String uid = store.deliver("alice", new ByteArrayInputStream(bytes));
            expected.put(uid, Wire.of(bytes));
        }
        assertEquals(inputs.length, expected.size());
        assertArrayEquals(
                "Subject: lf\r\n\r\nbody\r\n.dot line\r\n..two dots\r\n.\r\n".getBytes(UTF_8),
                expected.get(store.list("alice").get(0).uid()));

        List<MessageInfo> list = store.list("alice");
        assertEquals(inputs.length, list.size());
        for (MessageInfo info : list) {
            byte[] wire = readAll(info.uid());
            assertArrayEquals(info.uid(), expected.get(info.uid()), wire);
            assertEquals(info.uid(), wire.length, info.size());
            assertTrue(info.uid().length() <= 70);
        }
        for (Path file : files("alice", "new")) {
            byte[] disk = Files.readAllBytes(file);
            for (int i = 0; i + 1 < disk.length; i++) {
                assertFalse("CRLF on disk in " + file, disk[i] == '\r' && disk[i + 1] == '\n');
            }
            assertTrue(
                    file.getFileName().toString().endsWith(",S=" + disk.length + ",W=" + Wire.fromDisk(disk).length));
        }
        assertTrue(files("alice", "tmp").isEmpty());
    }

    @Test(timeout = 120_000)
    public void multiMegabyteMessageStreamsWithoutSurprises() throws Exception {
        Random random = new Random(7);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write("Subject: big\r\n\r\n".getBytes(UTF_8));
        while (message.size() < 6 * 1024 * 1024) {
            int length = random.nextInt(200);
            for (int i = 0; i < length; i++) {
                message.write(0x20 + random.nextInt(0x5F));
            }
            message.write(random.nextBoolean() ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
        }
        byte[] input = message.toByteArray();
        String uid = store.deliver("alice", new CrlfInputStreamTest.TrickleInputStream(input, 8191));
        MessageInfo info = store.list("alice").get(0);
        assertEquals(uid, info.uid());
        byte[] expected = Wire.of(input);
        assertEquals(expected.length, info.size());
        try (InputStream in = store.open("alice", uid)) {
            long count = 0;
            byte[] buffer = new byte[5000];
            int r;
            int mismatches = 0;
            while ((r = in.read(buffer)) >= 0) {
                for (int i = 0; i < r; i++) {
                    if (buffer[i] != expected[(int) count + i]) {
                        mismatches++;
                    }
                }
                count += r;
            }
            assertEquals(info.size(), count);
            assertEquals(0, mismatches);
        }
    }

    @Test(timeout = 30_000)
    public void filesFromOtherAgentsAreSizedByScanning() throws Exception {
        store.list("carol");
        Path cur = root.resolve("carol/cur");
        byte[] plain = "Subject: procmail\n\nline\n".getBytes(UTF_8);
        Files.write(cur.resolve("1700000000.12345_1.otherhost:2,S"), plain);
        byte[] lying = "Subject: edited\n\nlonger than the name says\n".getBytes(UTF_8);
        Files.write(cur.resolve("1700000001.M1P2.host,S=5,W=7:2,"), lying);
        byte[] crlf = "Subject: kept crlf\r\n\r\nmixed\nends\r\n".getBytes(UTF_8);
        Files.write(root.resolve("carol/new/1700000002.M9P9.crlfhost"), crlf);
        Files.write(cur.resolve(".hidden"), plain);
        Files.createDirectory(cur.resolve("1700000002.dir"));
        Files.createSymbolicLink(cur.resolve("1700000003.link"), cur.resolve("1700000000.12345_1.otherhost:2,S"));

        List<MessageInfo> list = store.list("carol");
        assertEquals(
                List.of("1700000000.12345_1.otherhost", "1700000001.M1P2.host,S=5,W=7", "1700000002.M9P9.crlfhost"),
                list.stream().map(MessageInfo::uid).toList());
        assertEquals(Wire.fromDisk(plain).length, list.get(0).size());
        assertEquals(Wire.fromDisk(lying).length, list.get(1).size());
        assertEquals(Instant.ofEpochSecond(1700000000L), list.get(0).received());
        assertArrayEquals(Wire.fromDisk(plain), readAll("carol", list.get(0).uid()));
        assertArrayEquals(Wire.fromDisk(lying), readAll("carol", list.get(1).uid()));
        byte[] crlfWire = "Subject: kept crlf\r\n\r\nmixed\r\nends\r\n".getBytes(UTF_8);
        assertEquals(crlfWire.length, list.get(2).size());
        assertArrayEquals(crlfWire, readAll("carol", list.get(2).uid()));
        assertEquals(list, new MaildirStore(new MaildirSettings(root, null, true)).list("carol"));
    }

    /**
     * As Dovecot does, a listing is reused while new/ and cur/ keep their modification times: a
     * file slipped in with the times put back is not seen, while any real change (a file added,
     * removed or renamed by another agent, which moves the times) is, even within the second.
     */
    @Test(timeout = 30_000)
    public void aListingIsReusedUntilNewOrCurChanges() throws Exception {
        String a = store.deliver("erin", stream("Subject: a\n\na\n"));
        String b = store.deliver("erin", stream("Subject: b\n\nb\n"));
        Path fresh = root.resolve("erin/new");
        Path cur = root.resolve("erin/cur");
        FileTime hourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
        Files.setLastModifiedTime(fresh, hourAgo);
        Files.setLastModifiedTime(cur, hourAgo);
        assertEquals(List.of(a, b), uids("erin"));

        Files.write(cur.resolve("1700000000.M1P1.sneaky,S=2,W=3:2,S"), "s\n".getBytes(UTF_8));
        Files.setLastModifiedTime(cur, hourAgo);
        assertEquals("unchanged directories: the kept listing", List.of(a, b), uids("erin"));

        Files.write(fresh.resolve("1700000001.M1P1.other,S=2,W=3"), "o\n".getBytes(UTF_8));
        assertEquals(List.of("1700000000.M1P1.sneaky,S=2,W=3", "1700000001.M1P1.other,S=2,W=3", a, b), uids("erin"));
        for (Path file : files("erin", "new")) {
            if (file.getFileName().toString().startsWith(a)) {
                Files.delete(file);
            }
        }
        assertEquals(List.of("1700000000.M1P1.sneaky,S=2,W=3", "1700000001.M1P1.other,S=2,W=3", b), uids("erin"));
        for (Path file : files("erin", "new")) {
            if (file.getFileName().toString().startsWith(b)) {
                Files.move(file, cur.resolve(file.getFileName() + ":2,S"));
            }
        }
        assertEquals(List.of("1700000000.M1P1.sneaky,S=2,W=3", "1700000001.M1P1.other,S=2,W=3", b), uids("erin"));
        assertArrayEquals(Wire.of("Subject: b\n\nb\n".getBytes(UTF_8)), readAll("erin", b));
    }

    private List<String> uids(String user) throws StoreException {
        return store.list(user).stream().map(MessageInfo::uid).toList();
    }

    @Test(timeout = 30_000)
    public void listsOldestFirstByDeliveryTime() throws Exception {
        store.list("dave");
        Path cur = root.resolve("dave/cur");
        Path fresh = root.resolve("dave/new");
        Files.write(fresh.resolve("1700000300.M5P1.h,S=2,W=3"), "c\n".getBytes(UTF_8));
        Files.write(cur.resolve("1700000100.M900P1.h,S=2,W=3:2,S"), "b\n".getBytes(UTF_8));
        Files.write(cur.resolve("1700000100.M80P1.h,S=2,W=3:2,S"), "a\n".getBytes(UTF_8));
        Files.write(cur.resolve("999999999.M1P1.h,S=2,W=3:2,S"), "z\n".getBytes(UTF_8));
        assertEquals(
                List.of(
                        "999999999.M1P1.h,S=2,W=3",
                        "1700000100.M80P1.h,S=2,W=3",
                        "1700000100.M900P1.h,S=2,W=3",
                        "1700000300.M5P1.h,S=2,W=3"),
                store.list("dave").stream().map(MessageInfo::uid).toList());
    }

    @Test(timeout = 30_000)
    public void uidsAreStableAcrossInstancesAndFlagChanges() throws Exception {
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            uids.add(store.deliver("alice", stream("Subject: " + i + "\n\nbody " + i + "\n")));
        }
        assertEquals(uids, store.list("alice").stream().map(MessageInfo::uid).toList());
        MaildirStore restarted = new MaildirStore(new MaildirSettings(root, null, true));
        assertEquals(
                uids, restarted.list("alice").stream().map(MessageInfo::uid).toList());

        Path first = files("alice", "new").stream()
                .filter(p -> p.getFileName().toString().startsWith(uids.get(0)))
                .findFirst()
                .orElseThrow();
        Files.move(first, root.resolve("alice/cur").resolve(first.getFileName() + ":2,S"));
        assertArrayEquals(Wire.of("Subject: 0\n\nbody 0\n".getBytes(UTF_8)), readAll(uids.get(0)));
        Path moved = root.resolve("alice/cur").resolve(first.getFileName() + ":2,S");
        Files.move(moved, root.resolve("alice/cur").resolve(first.getFileName() + ":2,RS"));
        assertArrayEquals(Wire.of("Subject: 0\n\nbody 0\n".getBytes(UTF_8)), readAll(uids.get(0)));
        assertEquals(uids, store.list("alice").stream().map(MessageInfo::uid).toList());
        assertEquals(
                uids, restarted.list("alice").stream().map(MessageInfo::uid).toList());
    }

    @Test(timeout = 30_000)
    public void longFileNamesGetDigestUidsThatOpenAndDelete() throws Exception {
        store.list("erin");
        String name = "1700000000." + "x".repeat(90) + ".host";
        Files.write(root.resolve("erin/cur").resolve(name + ":2,S"), "Subject: long\n\nx\n".getBytes(UTF_8));
        String uid = store.list("erin").get(0).uid();
        assertTrue(uid.length() <= 70);
        assertEquals(
                uid,
                new MaildirStore(new MaildirSettings(root, null, true))
                        .list("erin")
                        .get(0)
                        .uid());
        assertArrayEquals(
                Wire.of("Subject: long\n\nx\n".getBytes(UTF_8)),
                new MaildirStore(new MaildirSettings(root, null, true))
                        .open("erin", uid)
                        .readAllBytes());
        assertEquals(1, store.delete("erin", List.of(uid)));
        assertTrue(store.list("erin").isEmpty());
    }

    @Test(timeout = 30_000)
    public void deleteCountsWhatItRemovedAndToleratesGoneMessages() throws Exception {
        String a = store.deliver("alice", stream("a\n"));
        String b = store.deliver("alice", stream("b\n"));
        String c = store.deliver("alice", stream("c\n"));
        assertEquals(2, store.delete("alice", List.of(a, b, "no-such-uid")));
        assertEquals(
                List.of(c), store.list("alice").stream().map(MessageInfo::uid).toList());
        assertEquals(0, store.delete("alice", List.of(a, b)));
        assertEquals(0, store.delete("nobody-here", List.of(a)));
        assertFalse(Files.exists(root.resolve("nobody-here")));
        try {
            store.open("alice", a);
            fail("deleted message opened");
        } catch (MessageNotFoundException expected) {
            assertFalse(expected.isTemporary());
        }
        MaildirStore other = new MaildirStore(new MaildirSettings(root, null, true));
        assertEquals(
                List.of(c), other.list("alice").stream().map(MessageInfo::uid).toList());
        assertEquals(1, store.delete("alice", List.of(c)));
        assertTrue(other.list("alice").isEmpty());
    }

    @Test(timeout = 30_000)
    public void messageRemovedBehindOurBackIsNotFound() throws Exception {
        String uid = store.deliver("alice", stream("gone soon\n"));
        assertEquals(1, store.list("alice").size());
        for (Path file : files("alice", "new")) {
            Files.delete(file);
        }
        try (InputStream in = store.open("alice", uid)) {
            fail("opened a deleted message");
        } catch (MessageNotFoundException expected) {
            assertTrue(expected.getMessage().contains(uid));
        }
        try (InputStream in = store.open("alice", "never-existed")) {
            fail("opened a message that never existed");
        } catch (MessageNotFoundException expected) {
            assertFalse(expected.isTemporary());
        }
        try (InputStream in = store.open("zoe", "x")) {
            fail("opened a message of a user without mailbox");
        } catch (MessageNotFoundException expected) {
            assertFalse(Files.exists(root.resolve("zoe")));
        }
    }

    @Test(timeout = 30_000)
    public void userNamesThatCouldEscapeTheRootAreRejectedPermanently() throws Exception {
        Path outside = root.getParent();
        Set<String> before = listing(outside);
        for (String bad : new String[] {"", "..", "../escape", "a/b", "/abs", "a\\b", "a\0b", ".hidden", "x/../y"}) {
            expectPermanent(() -> store.list(bad));
            expectPermanent(() -> store.deliver(bad, stream("x\n")));
            expectPermanent(() -> store.open(bad, "uid"));
            expectPermanent(() -> store.delete(bad, List.of("uid")));
        }
        expectPermanent(() -> store.list(null));
        assertEquals(before, listing(outside));
        assertEquals(Set.of(), listing(root));
    }

    @Test(timeout = 30_000)
    public void welcomeMessagesArriveOnceWhenTheMailboxIsCreated() throws Exception {
        Path welcome = temp.newFolder("welcome").toPath();
        Files.writeString(welcome.resolve("02-second.eml"), "Subject: second\n\nTwo\n");
        Files.writeString(welcome.resolve("01-first.eml"), "Subject: first\r\n\r\nOne\r\n");
        Files.writeString(welcome.resolve(".ignored"), "hidden\n");
        Files.createDirectory(welcome.resolve("03-subdir"));
        store.configure(new MaildirSettings(root, welcome, true));

        List<MessageInfo> list = store.list("newbie");
        assertEquals(2, list.size());
        assertArrayEquals(
                "Subject: first\r\n\r\nOne\r\n".getBytes(UTF_8),
                readAll("newbie", list.get(0).uid()));
        assertArrayEquals(
                "Subject: second\r\n\r\nTwo\r\n".getBytes(UTF_8),
                readAll("newbie", list.get(1).uid()));
        assertEquals(
                2, store.delete("newbie", List.of(list.get(0).uid(), list.get(1).uid())));
        assertTrue(store.list("newbie").isEmpty());
        assertTrue(new MaildirStore(new MaildirSettings(root, welcome, true))
                .list("newbie")
                .isEmpty());

        String uid = store.deliver("second", stream("Subject: real\n\nmail\n"));
        List<String> uids = store.list("second").stream().map(MessageInfo::uid).toList();
        assertEquals(3, uids.size());
        assertEquals(uid, uids.get(2));

        store.configure(new MaildirSettings(root, null, true));
        assertTrue(store.list("third").isEmpty());
        assertEquals(Set.of("newbie", "second", "third"), listing(root));
    }

    @Test(timeout = 60_000)
    public void concurrentFirstAccessesCreateTheMailboxOnce() throws Exception {
        Path welcome = temp.newFolder("welcome").toPath();
        Files.writeString(welcome.resolve("hello.eml"), "Subject: hello\n\nhi\n");
        store.configure(new MaildirSettings(root, welcome, false));
        int threads = 8;
        executor = Executors.newFixedThreadPool(threads);
        for (int round = 0; round < 5; round++) {
            String user = "race" + round;
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int n = t;
                futures.add(executor.submit((Callable<Void>) () -> {
                    start.await();
                    if (n % 2 == 0) {
                        store.list(user);
                    } else {
                        store.deliver(user, stream("Subject: " + n + "\n\nx\n"));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            List<MessageInfo> list = store.list(user);
            assertEquals(user, 1 + threads / 2, list.size());
            assertEquals(Set.of("tmp", "new", "cur"), listing(root.resolve(user)));
        }
        assertEquals(5, listing(root).size());
    }

    @Test(timeout = 30_000)
    public void staleTmpFilesAreRemovedWhenListing() throws Exception {
        store.list("alice");
        Path tmp = root.resolve("alice/tmp");
        Path old = Files.writeString(tmp.resolve("1.old.host"), "partial");
        Path recent = Files.writeString(tmp.resolve("2.recent.host"), "in progress");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(37))));
        Files.setLastModifiedTime(recent, FileTime.from(Instant.now().minus(Duration.ofHours(35))));
        assertTrue(store.list("alice").isEmpty());
        assertFalse(Files.exists(old));
        assertTrue(Files.exists(recent));
    }

    @Test(timeout = 30_000)
    public void failedDeliveryLeavesNothingBehind() throws Exception {
        InputStream broken = new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                if (served++ > 100_000) {
                    throw new IOException("client went away");
                }
                return served % 50 == 0 ? '\n' : 'x';
            }
        };
        try {
            store.deliver("alice", broken);
            fail("delivery of a broken stream succeeded");
        } catch (StoreException expected) {
            assertTrue(expected.isTemporary());
        }
        assertTrue(files("alice", "tmp").isEmpty());
        assertTrue(files("alice", "new").isEmpty());
        assertTrue(store.list("alice").isEmpty());
    }

    @Test(timeout = 120_000)
    public void concurrentDeliveriesAllLandWithDistinctUids() throws Exception {
        int threads = 6;
        int perThread = 40;
        executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Map<String, String>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(executor.submit(() -> {
                start.await();
                Map<String, String> delivered = new HashMap<>();
                for (int i = 0; i < perThread; i++) {
                    String body = "Subject: t" + thread + " m" + i + "\n\n" + "line\n".repeat(i) + "end";
                    delivered.put(store.deliver("busy", stream(body)), body);
                }
                return delivered;
            }));
        }
        start.countDown();
        Map<String, String> all = new HashMap<>();
        for (Future<Map<String, String>> f : futures) {
            Map<String, String> delivered = f.get(100, TimeUnit.SECONDS);
            assertEquals(perThread, delivered.size());
            all.putAll(delivered);
        }
        assertEquals(threads * perThread, all.size());
        List<MessageInfo> list = store.list("busy");
        assertEquals(all.keySet(), list.stream().map(MessageInfo::uid).collect(Collectors.toSet()));
        for (MessageInfo info : list) {
            byte[] expected = Wire.of(all.get(info.uid()).getBytes(UTF_8));
            assertArrayEquals(expected, readAll("busy", info.uid()));
            assertEquals(expected.length, info.size());
        }
    }

    @Test(timeout = 120_000)
    public void listingTenThousandMessagesTakesSizesFromNamesWithoutReadingFiles() throws Exception {
        store.list("many");
        Path cur = root.resolve("many/cur");
        byte[] body = "Subject: x\n\ny\n".getBytes(UTF_8);
        for (int i = 0; i < 10_000; i++) {
            long claimed = 1_000_000 + i;
            Files.write(
                    cur.resolve((1700000000L + i) + ".M" + i + "P1.h,S=" + body.length + ",W=" + claimed + ":2,S"),
                    body);
        }
        long started = System.nanoTime();
        List<MessageInfo> list = store.list("many");
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(10_000, list.size());
        for (int i = 0; i < list.size(); i++) {
            assertEquals(Instant.ofEpochSecond(1700000000L + i), list.get(i).received());
            assertEquals(
                    "the size must come from ,W= in the name",
                    1_000_000 + i,
                    list.get(i).size());
        }
        assertTrue("listing took " + millis + " ms", millis < 10_000);
        assertArrayEquals(Wire.fromDisk(body), readAll("many", list.get(5_000).uid()));
    }

    @Test(timeout = 30_000)
    public void messageStreamIsUnaffectedByLaterDeletion() throws Exception {
        String uid = store.deliver("alice", stream("Subject: x\n\n" + "y\n".repeat(100_000)));
        try (InputStream in = store.open("alice", uid)) {
            byte[] head = in.readNBytes(10);
            assertEquals(1, store.delete("alice", List.of(uid)));
            long rest = in.transferTo(OutputStreamSink.INSTANCE);
            assertEquals(store.list("alice").size(), 0);
            assertEquals(
                    Wire.of(("Subject: x\n\n" + "y\n".repeat(100_000)).getBytes(UTF_8)).length, head.length + rest);
        }
        assertNotEquals(0, uid.length());
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }

    private interface StoreCall {
        Object run() throws Exception;
    }

    private static void expectPermanent(StoreCall call) throws Exception {
        try {
            call.run();
            fail("accepted an invalid user name");
        } catch (StoreException expected) {
            assertFalse(expected.getMessage(), expected.isTemporary());
            assertFalse(expected instanceof MessageNotFoundException);
        }
    }

    private byte[] readAll(String uid) throws Exception {
        return readAll("alice", uid);
    }

    private byte[] readAll(String user, String uid) throws Exception {
        try (InputStream in = store.open(user, uid)) {
            return in.readAllBytes();
        }
    }

    private List<Path> files(String user, String dir) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve(user).resolve(dir))) {
            return s.toList();
        }
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(UTF_8));
    }
}
