package org.mailroom.spool.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.delivery.Delivery;
import org.mailroom.api.delivery.DeliveryService;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.spool.QueuedMessage;
import org.mailroom.api.spool.RecipientStatus;
import org.mailroom.api.spool.SpoolException;
import org.mailroom.api.spool.SpoolRecipient;
import org.mailroom.api.spool.SpoolWriter;
import org.mailroom.testing.Poll;

/** The spool on a real directory, with a delivery service that records what it is handed. */
public class FileSpoolTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final byte[] MESSAGE = "Subject: hi\r\n\r\nbody\r\n.dot\r\n".getBytes(UTF_8);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path dir;
    private final List<FileSpool> spools = new ArrayList<>();
    private final Recorder recorder = new Recorder();
    private volatile DeliveryService service = recorder;

    @Before
    public void setUp() throws IOException {
        dir = temp.newFolder("spool").toPath();
    }

    @After
    public void tearDown() {
        spools.forEach(FileSpool::close);
    }

    @Test(timeout = 30_000)
    public void aCommittedMessageReachesEveryUserOnceAndLeavesTheSpool() throws Exception {
        FileSpool spool = start(settings());
        String id = send(
                spool,
                "alice@example.com",
                new SpoolRecipient("bob@example.com", "bob"),
                new SpoolRecipient("Bob+x@example.com", "bob"),
                new SpoolRecipient("carol@example.com", "carol"));
        assertTrue(id.matches("[a-z0-9-]+"));
        Poll.until("two deliveries", TIMEOUT, () -> recorder.deliveries.size() == 2);
        Poll.until("queue empty", TIMEOUT, () -> spool.list().isEmpty() && empty(dir.resolve("queue")));
        List<Delivery> done = new ArrayList<>(recorder.deliveries);
        assertEquals(
                List.of("bob", "carol"),
                done.stream().map(Delivery::user).sorted().toList());
        for (Delivery d : done) {
            assertEquals("alice@example.com", d.sender());
            assertTrue(d.key(), d.key().startsWith(id + "-"));
            assertEquals(new String(MESSAGE, UTF_8), recorder.contents.get(d.key()));
        }
        assertEquals(
                "bob@example.com",
                done.stream()
                        .filter(d -> d.user().equals("bob"))
                        .findFirst()
                        .orElseThrow()
                        .recipient());
        assertTrue(empty(dir.resolve("incoming")));
    }

    @Test(timeout = 30_000)
    public void aWriterClosedWithoutCommitLeavesNothing() throws Exception {
        FileSpool spool = start(settings());
        try (SpoolWriter w = spool.receive("", List.of(new SpoolRecipient("a@x", "a")))) {
            w.content().write(MESSAGE);
            assertEquals(MESSAGE.length, w.size());
        }
        assertTrue(empty(dir.resolve("incoming")));
        assertTrue(empty(dir.resolve("queue")));
        assertTrue(spool.list().isEmpty());
    }

    @Test(timeout = 30_000)
    public void onStartTheQueueIsDeliveredAndStaleReceptionsAreDropped() throws Exception {
        service = null;
        FileSpool first = start(settings());
        String id = send(first, "s@x", new SpoolRecipient("a@x", "a"), new SpoolRecipient("b@x", "b"));
        SpoolWriter unfinished = first.receive("s@x", List.of(new SpoolRecipient("c@x", "c")));
        unfinished.content().write(MESSAGE);
        unfinished.content().flush();
        SpoolWriter stillReceiving = first.receive("s@x", List.of(new SpoolRecipient("d@x", "d")));
        stillReceiving.content().write(MESSAGE);
        stillReceiving.content().flush();
        first.close();
        // Left by a crash an hour and more ago: every file of it untouched since.
        Path stale = dir.resolve("incoming").resolve(unfinished.id());
        java.nio.file.attribute.FileTime old =
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofHours(2)));
        Files.setLastModifiedTime(stale.resolve(QueueEntry.MESSAGE), old);
        Files.setLastModifiedTime(stale, old);
        // As a crash would leave it: recipient 0 delivered and recorded, recipient 1 not.
        Files.createFile(dir.resolve("queue").resolve(id).resolve("delivered-0"));

        service = recorder;
        FileSpool second = start(settings());
        Poll.until("b delivered", TIMEOUT, () -> recorder.deliveries.size() == 1);
        Poll.until("queue empty", TIMEOUT, () -> second.list().isEmpty());
        assertEquals("b", recorder.deliveries.peek().user());
        assertEquals(id + "-1", recorder.deliveries.peek().key());
        assertFalse("the stale reception is gone", Files.exists(stale));
        assertTrue(
                "a reception another spool instance may still be writing stays",
                Files.exists(dir.resolve("incoming").resolve(stillReceiving.id())));
    }

    @Test(timeout = 30_000)
    public void aFinishedMessageLeavesTheQueueInOneStepAndTheTrashIsEmptiedAtStart() throws Exception {
        Path trash = dir.resolve("trash");
        Files.createDirectories(trash.resolve("left-by-a-crash"));
        Files.writeString(trash.resolve("left-by-a-crash").resolve("delivered-0"), "");
        FileSpool spool = start(settings());
        assertTrue("the trash is emptied at start", empty(trash));
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        Poll.until("delivered and removed", TIMEOUT, () -> spool.find(id) == null);
        Poll.until("nothing left in queue/ or trash/", TIMEOUT, () -> empty(dir.resolve("queue")) && empty(trash));
    }

    @Test(timeout = 30_000)
    public void anUnavailableStoreIsTriedAgainInSecondsWithoutCountingAnAttempt() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        recorder.answer =
                d -> calls.incrementAndGet() == 1 ? Verdict.unavailable("no mail store") : Verdict.delivered();
        FileSpool spool = start(settings());
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        Poll.until("delivered on the next try, seconds later", TIMEOUT, () -> spool.find(id) == null);
        assertEquals(2, calls.get());
    }

    @Test(timeout = 30_000)
    public void theSameRecipientAlwaysGetsTheSameKeyAcrossRestarts() throws Exception {
        recorder.answer = d -> Verdict.retry("store down");
        FileSpool first = start(settings());
        String id = send(first, "s@x", new SpoolRecipient("a@x", "a"));
        Poll.until("first attempt", TIMEOUT, () -> recorder.deliveries.size() == 1);
        first.close();
        recorder.answer = d -> Verdict.delivered();
        start(settings());
        Poll.until("second attempt after the restart", TIMEOUT, () -> recorder.deliveries.size() == 2);
        assertEquals(
                List.of(id + "-0", id + "-0"),
                recorder.deliveries.stream().map(Delivery::key).toList());
    }

    @Test(timeout = 30_000)
    public void aTemporaryFailureIsRetriedLaterAndShownInTheQueue() throws Exception {
        recorder.answer = d -> Verdict.retry("disk full");
        FileSpool spool = start(settings());
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        Poll.until(
                "an attempt",
                TIMEOUT,
                () -> waiting(spool, id) != null && waiting(spool, id).attempts() == 1);
        RecipientStatus status = waiting(spool, id);
        assertEquals(RecipientStatus.State.WAITING, status.state());
        assertEquals("disk full", status.lastError());
        assertTrue(
                "due after the first retry delay",
                status.nextAttempt().isAfter(java.time.Instant.now().plusSeconds(3000)));

        recorder.answer = d -> Verdict.delivered();
        assertEquals(1, spool.retry(id));
        Poll.until("delivered after retry", TIMEOUT, () -> spool.find(id) == null);
        assertEquals(2, recorder.deliveries.size());
    }

    @Test(timeout = 30_000)
    public void aPermanentFailureStaysVisibleUntilRetriedOrDeleted() throws Exception {
        recorder.answer = d -> Verdict.failed("mailbox name refused");
        FileSpool spool = start(settings());
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"), new SpoolRecipient("b@x", "b"));
        Poll.until(
                "both failed",
                TIMEOUT,
                () -> spool.find(id) != null
                        && spool.find(id).recipients().stream()
                                .allMatch(r -> r.state() == RecipientStatus.State.FAILED));
        assertEquals("mailbox name refused", spool.find(id).recipients().get(0).lastError());

        FileSpool restarted = restart(spool);
        assertEquals(
                RecipientStatus.State.FAILED,
                restarted.find(id).recipients().get(1).state());
        try (InputStream in = restarted.open(id)) {
            assertEquals(new String(MESSAGE, UTF_8), new String(in.readAllBytes(), UTF_8));
        }
        assertTrue(restarted.delete(id));
        assertNull(restarted.find(id));
        assertFalse(Files.exists(dir.resolve("queue").resolve(id)));
        assertFalse(restarted.delete(id));
    }

    @Test(timeout = 30_000)
    public void aRecipientOlderThanTheMaximumAgeFailsForGood() throws Exception {
        recorder.answer = d -> Verdict.retry("store down");
        SpoolSettings s = settings();
        FileSpool spool = start(new SpoolSettings(s.directory(), 1, s.retryDelays(), Duration.ofMillis(1), true, 0));
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        Poll.until(
                "failed",
                TIMEOUT,
                () -> spool.find(id) != null
                        && spool.find(id).recipients().get(0).state() == RecipientStatus.State.FAILED);
        assertTrue(spool.find(id).recipients().get(0).lastError().startsWith("gave up after"));
    }

    @Test(timeout = 30_000)
    public void withoutADeliveryServiceMessagesWaitAndGoOnceOneAppears() throws Exception {
        service = null;
        FileSpool spool = start(settings());
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        assertEquals(0, spool.find(id).recipients().get(0).attempts());
        service = recorder;
        Poll.until("delivered once the service is back", TIMEOUT, () -> spool.find(id) == null);
        assertEquals(1, recorder.deliveries.size());
    }

    @Test(timeout = 30_000)
    public void aStoppedSpoolRefusesToCommitWithATemporaryError() throws Exception {
        FileSpool spool = start(settings());
        SpoolWriter w = spool.receive("s@x", List.of(new SpoolRecipient("a@x", "a")));
        w.content().write(MESSAGE);
        spool.close();
        try {
            w.commit();
            fail();
        } catch (SpoolException e) {
            assertTrue(e.isTemporary());
        }
        assertTrue(empty(dir.resolve("incoming")));
        assertTrue(empty(dir.resolve("queue")));
    }

    @Test(timeout = 30_000)
    public void aDamagedEnvelopeIsLeftAloneAndTheRestIsDelivered() throws Exception {
        service = null;
        FileSpool first = start(settings());
        String bad = send(first, "s@x", new SpoolRecipient("a@x", "a"));
        String good = send(first, "s@x", new SpoolRecipient("b@x", "b"));
        first.close();
        Files.writeString(dir.resolve("queue").resolve(bad).resolve(QueueEntry.ENVELOPE), "garbage\n");
        service = recorder;
        FileSpool second = start(settings());
        Poll.until("good delivered", TIMEOUT, () -> second.find(good) == null);
        assertTrue(Files.exists(dir.resolve("queue").resolve(bad)));
        assertEquals(1, recorder.deliveries.size());
    }

    // ---- delivery before the reply

    @Test(timeout = 30_000)
    public void aMessageForFewRecipientsIsInTheirMailboxesWhenCommitReturnsAndNeverQueued() throws Exception {
        FileSpool spool = start(deliveringBeforeReply(2));
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"), new SpoolRecipient("b@x", "b"));
        assertEquals(
                List.of(id + "-0", id + "-1"),
                recorder.deliveries.stream().map(Delivery::key).toList());
        assertEquals(new String(MESSAGE, UTF_8), recorder.contents.get(id + "-1"));
        assertTrue(spool.list().isEmpty());
        assertNull(spool.find(id));
        assertTrue(empty(dir.resolve("incoming")));
        assertTrue(empty(dir.resolve("queue")));
        restart(spool);
        assertEquals("nothing delivered again after a restart", 2, recorder.deliveries.size());
    }

    @Test(timeout = 30_000)
    public void onlyTheRecipientsNotServedBeforeTheReplyAreQueued() throws Exception {
        recorder.answer = d -> d.user().equals("a") ? Verdict.delivered() : Verdict.retry("mailbox busy");
        FileSpool spool = start(deliveringBeforeReply(16));
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"), new SpoolRecipient("b@x", "b"));
        assertEquals(2, recorder.deliveries.size());
        QueuedMessage queued = spool.find(id);
        assertEquals(RecipientStatus.State.DELIVERED, queued.recipients().get(0).state());
        RecipientStatus b = queued.recipients().get(1);
        assertEquals(RecipientStatus.State.WAITING, b.state());
        assertEquals(1, b.attempts());
        assertEquals("mailbox busy", b.lastError());
        assertTrue(
                "due after the first retry delay",
                b.nextAttempt().isAfter(java.time.Instant.now().plusSeconds(3000)));

        assertTrue(Files.exists(dir.resolve("queue").resolve(id).resolve("delivered-0")));
        recorder.answer = d -> Verdict.delivered();
        FileSpool restarted = restart(spool);
        Poll.until("b delivered after the restart", TIMEOUT, () -> restarted.find(id) == null);
        assertEquals(
                List.of(id + "-0", id + "-1", id + "-1"),
                recorder.deliveries.stream().map(Delivery::key).toList());
    }

    @Test(timeout = 30_000)
    public void aPermanentFailureBeforeTheReplyIsQueuedAsFailed() throws Exception {
        recorder.answer = d -> Verdict.failed("mailbox name refused");
        FileSpool spool = start(deliveringBeforeReply(16));
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        RecipientStatus a = spool.find(id).recipients().get(0);
        assertEquals(RecipientStatus.State.FAILED, a.state());
        assertEquals("mailbox name refused", a.lastError());
        assertEquals(1, recorder.deliveries.size());
    }

    @Test(timeout = 30_000)
    public void anUnavailableStoreBeforeTheReplyQueuesTheMessageForTheNextTry() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        recorder.answer =
                d -> calls.incrementAndGet() == 1 ? Verdict.unavailable("no mail store") : Verdict.delivered();
        FileSpool spool = start(deliveringBeforeReply(16));
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        assertEquals(1, calls.get());
        assertEquals(0, waiting(spool, id).attempts());
        Poll.until("delivered on the next try, seconds later", TIMEOUT, () -> spool.find(id) == null);
        assertEquals(2, calls.get());
    }

    @Test(timeout = 30_000)
    public void aMessageForMoreRecipientsThanTheLimitIsQueuedBeforeAnyDelivery() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        recorder.answer = d -> {
            try {
                // A delivery made inside commit would hold commit here until the test's timeout.
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Verdict.delivered();
        };
        FileSpool spool = start(deliveringBeforeReply(1));
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"), new SpoolRecipient("b@x", "b"));
        assertTrue(Files.isDirectory(dir.resolve("queue").resolve(id)));
        assertTrue(Files.exists(dir.resolve("queue").resolve(id).resolve(QueueEntry.ENVELOPE)));
        release.countDown();
        Poll.until("delivered after the reply", TIMEOUT, () -> spool.find(id) == null);
        assertEquals(2, recorder.deliveries.size());
    }

    @Test(timeout = 30_000)
    public void withoutADeliveryServiceAtCommitTheMessageIsQueued() throws Exception {
        service = null;
        FileSpool spool = start(deliveringBeforeReply(16));
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        assertTrue(Files.exists(dir.resolve("queue").resolve(id).resolve(QueueEntry.ENVELOPE)));
        service = recorder;
        Poll.until("delivered once the service is back", TIMEOUT, () -> spool.find(id) == null);
    }

    @Test(timeout = 30_000)
    public void theCallerGetsTheFiltersVerdictsAndAnswersForTheRefusedUsers() throws Exception {
        recorder.answer = d -> switch (d.user()) {
            case "a" -> Verdict.delivered();
            case "b" -> Verdict.rejected("550 5.7.1 no");
            case "c" -> Verdict.deferred("451 4.7.1 later");
            default -> Verdict.quarantined("held by words");
        };
        FileSpool spool = start(deliveringBeforeReply(16));
        String id;
        try (SpoolWriter w = spool.receive(
                "s@x",
                List.of(
                        new SpoolRecipient("a@x", "a"),
                        new SpoolRecipient("b@x", "b"),
                        new SpoolRecipient("c@x", "c"),
                        new SpoolRecipient("d@x", "d"),
                        new SpoolRecipient("a2@x", "a")))) {
            w.content().write(MESSAGE);
            java.util.Map<String, Verdict> verdicts = w.deliverBeforeReply();
            assertEquals("one copy per user", List.of("a", "b", "c", "d"), List.copyOf(verdicts.keySet()));
            assertEquals(Verdict.rejected("550 5.7.1 no"), verdicts.get("b"));
            assertTrue("nothing queued before the commit", empty(dir.resolve("queue")));
            assertThrows(IllegalArgumentException.class, () -> w.commit(java.util.Set.of("a")));
            id = w.commit(java.util.Set.of("b", "c"));
        }
        assertEquals("every user done: delivered, quarantined or refused to the client", null, spool.find(id));
        assertTrue(empty(dir.resolve("queue")));
        assertEquals(4, recorder.deliveries.size());
    }

    @Test(timeout = 30_000)
    public void refusalsTheCallerDoesNotAnswerAreKeptByTheSpool() throws Exception {
        recorder.answer =
                d -> d.user().equals("b") ? Verdict.rejected("550 5.7.1 no") : Verdict.deferred("451 4.7.1 later");
        FileSpool spool = start(deliveringBeforeReply(16));
        String id = send(spool, "s@x", new SpoolRecipient("b@x", "b"), new SpoolRecipient("c@x", "c"));
        QueuedMessage queued = spool.find(id);
        assertEquals(RecipientStatus.State.FAILED, queued.recipients().get(0).state());
        assertEquals("550 5.7.1 no", queued.recipients().get(0).lastError());
        assertEquals(RecipientStatus.State.WAITING, queued.recipients().get(1).state());
        assertEquals("451 4.7.1 later", queued.recipients().get(1).lastError());
    }

    @Test(timeout = 30_000)
    public void aQuarantinedRecipientIsDoneInTheQueueToo() throws Exception {
        recorder.answer = d -> Verdict.quarantined("held");
        FileSpool spool = start(settings());
        String id = send(spool, "s@x", new SpoolRecipient("a@x", "a"));
        Poll.until("done after one delivery", TIMEOUT, () -> spool.find(id) == null);
        assertEquals(1, recorder.deliveries.size());
    }

    // ---- helpers

    /** Every message queued first, delivered after commit returns. */
    private SpoolSettings settings() {
        return deliveringBeforeReply(0);
    }

    private SpoolSettings deliveringBeforeReply(int recipients) {
        return new SpoolSettings(dir, 2, List.of(Duration.ofHours(1)), Duration.ofDays(5), true, recipients);
    }

    private FileSpool start(SpoolSettings settings) throws IOException {
        FileSpool spool = new FileSpool(settings, () -> service);
        spools.add(spool);
        spool.start();
        return spool;
    }

    private FileSpool restart(FileSpool spool) throws IOException {
        spool.close();
        return start(spool.settings());
    }

    private static String send(FileSpool spool, String sender, SpoolRecipient... recipients) throws Exception {
        try (SpoolWriter w = spool.receive(sender, List.of(recipients))) {
            w.content().write(MESSAGE);
            return w.commit();
        }
    }

    private static RecipientStatus waiting(FileSpool spool, String id) {
        QueuedMessage m = spool.find(id);
        return m == null ? null : m.recipients().get(0);
    }

    private static boolean empty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records every delivery and its content; answers as told (delivered by default). */
    private static final class Recorder implements DeliveryService {
        final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
        final java.util.Map<String, String> contents = new java.util.concurrent.ConcurrentHashMap<>();
        volatile Function<Delivery, Verdict> answer = d -> Verdict.delivered();

        @Override
        public Verdict deliver(Delivery delivery) {
            try (InputStream in = delivery.message().open()) {
                contents.put(delivery.key(), new String(in.readAllBytes(), UTF_8));
            } catch (IOException e) {
                return Verdict.retry(e.toString());
            }
            deliveries.add(delivery);
            return answer.apply(delivery);
        }
    }
}
