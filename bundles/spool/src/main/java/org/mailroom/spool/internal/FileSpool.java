package org.mailroom.spool.internal;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.mailroom.api.delivery.Delivery;
import org.mailroom.api.delivery.DeliveryService;
import org.mailroom.api.delivery.MessageSource;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.protocol.LogText;
import org.mailroom.api.spool.QueuedMessage;
import org.mailroom.api.spool.Spool;
import org.mailroom.api.spool.SpoolException;
import org.mailroom.api.spool.SpoolRecipient;
import org.mailroom.api.spool.SpoolWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool on disk. A message is received into {@code incoming/<id>/}. At commit, a message for
 * few recipients is first delivered to each of them; if every one has it, it is done and leaves
 * nothing behind (the mailboxes hold it durably). Otherwise it is committed by forcing
 * its content and envelope to disk and renaming the directory into {@code queue/<id>/}: what is in
 * {@code queue/} was acknowledged, what is in {@code incoming/} never was (and is removed once it
 * has been untouched for an hour).
 * Each recipient not yet served is then handed to the {@link DeliveryService} with the key {@code <id>-<n>}, which
 * makes a delivery repeated after a crash write nothing; a finished recipient gets a marker file,
 * and the directory goes when every recipient has the message.
 */
final class FileSpool implements Spool {

    private static final Logger LOG = LoggerFactory.getLogger(FileSpool.class);
    private static final Duration NO_SERVICE_WAIT = Duration.ofSeconds(2);
    private static final Duration RESCAN = Duration.ofSeconds(30);
    /** Longer than any reception can last: listeners close connections idle for minutes. */
    static final Duration STALE_RECEPTION = Duration.ofHours(1);

    private static final String ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private final SpoolSettings settings;
    private final Supplier<DeliveryService> delivery;
    private final Path incoming;
    private final Path queue;
    private final Path trash;
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
    private final Map<String, QueueEntry> entries = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor executor;
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;

    FileSpool(SpoolSettings settings, Supplier<DeliveryService> delivery) throws IOException {
        this.settings = settings;
        this.delivery = delivery;
        this.incoming = settings.directory().resolve("incoming");
        this.queue = settings.directory().resolve("queue");
        this.trash = settings.directory().resolve("trash");
        for (Path dir : List.of(settings.directory(), incoming, queue, trash)) {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, SpoolFiles.privateDirectory());
            }
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(settings.deliveryThreads(), r -> {
            Thread t = new Thread(r, "mailroom-spool-delivery-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Loads the queue and makes every waiting recipient due; removes stale receptions.
     *
     * @return how many messages the queue holds
     */
    int start() {
        emptyTrash();
        scan();
        executor.scheduleWithFixedDelay(this::scan, RESCAN.toMillis(), RESCAN.toMillis(), TimeUnit.MILLISECONDS);
        return entries.size();
    }

    /**
     * Removes receptions that did not complete: those untouched for {@link #STALE_RECEPTION}, so
     * that a message another spool instance (one being replaced) is still receiving is left alone.
     */
    private void removeStaleReceptions() {
        Instant cutoff = Instant.now().minus(STALE_RECEPTION);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(incoming)) {
            for (Path dir : dirs) {
                if (lastWrite(dir).isBefore(cutoff)) {
                    SpoolFiles.deleteDirectory(dir);
                    LOG.info("Spool: removed {}, a message whose reception did not complete", dir);
                }
            }
        } catch (IOException e) {
            LOG.warn("Spool: cannot clean {}: {}", incoming, e.toString());
        }
    }

    private static Instant lastWrite(Path dir) throws IOException {
        Instant last = Files.getLastModifiedTime(dir).toInstant();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Instant t = Files.getLastModifiedTime(file).toInstant();
                last = t.isAfter(last) ? t : last;
            }
        }
        return last;
    }

    /** Loads the queue directories not known yet, e.g. committed by a spool instance being replaced. */
    private void scan() {
        removeStaleReceptions();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(queue)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                if (entries.containsKey(id) || !Files.isDirectory(dir)) {
                    continue;
                }
                try {
                    QueueEntry entry = QueueEntry.load(dir);
                    if (entries.putIfAbsent(id, entry) == null) {
                        schedule(entry, Duration.ZERO);
                    }
                } catch (IOException | RuntimeException e) {
                    if (unreadable.add(id)) {
                        LOG.error(
                                "Spool: cannot read queued message {}: {}; left in place, not delivered",
                                dir,
                                e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.error("Spool: cannot list {}: {}", queue, e.toString());
        }
    }

    SpoolSettings settings() {
        return settings;
    }

    /** Stops delivering: deliveries in progress finish, nothing new starts, writers cannot commit. */
    void close() {
        closed = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("Spool: deliveries still running after 30 s; stopping them");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    // ---- Spool

    @Override
    public SpoolWriter receive(String sender, List<SpoolRecipient> recipients) throws SpoolException {
        if (closed) {
            throw new SpoolException("the spool is stopping", true);
        }
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("no recipients");
        }
        Map<String, SpoolRecipient> byUser = new LinkedHashMap<>();
        for (SpoolRecipient r : recipients) {
            byUser.putIfAbsent(r.user(), r);
        }
        String id = newId();
        Path dir = incoming.resolve(id);
        try {
            Files.createDirectory(dir, SpoolFiles.privateDirectory());
            FileChannel channel = FileChannel.open(
                    dir.resolve(QueueEntry.MESSAGE),
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    SpoolFiles.privateFile());
            return new Writer(id, dir, sender, List.copyOf(byUser.values()), channel);
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new SpoolException("cannot create " + dir + ": " + e, true, e);
        }
    }

    @Override
    public List<QueuedMessage> list() {
        List<QueuedMessage> list = new ArrayList<>();
        for (QueueEntry entry : entries.values()) {
            synchronized (entry) {
                if (!entry.deleted) {
                    list.add(entry.snapshot());
                }
            }
        }
        list.sort(Comparator.comparing(QueuedMessage::received).thenComparing(QueuedMessage::id));
        return list;
    }

    @Override
    public QueuedMessage find(String id) {
        QueueEntry entry = entries.get(id);
        if (entry == null) {
            return null;
        }
        synchronized (entry) {
            return entry.deleted ? null : entry.snapshot();
        }
    }

    @Override
    public InputStream open(String id) throws SpoolException {
        QueueEntry entry = entries.get(id);
        if (entry == null) {
            throw new SpoolException("no message " + id + " in the spool", false);
        }
        try {
            return Files.newInputStream(entry.message());
        } catch (IOException e) {
            throw new SpoolException("cannot read " + entry.message() + ": " + e, true, e);
        }
    }

    @Override
    public int retry(String id) throws SpoolException {
        List<QueueEntry> targets = new ArrayList<>();
        if (id == null) {
            targets.addAll(entries.values());
        } else {
            QueueEntry entry = entries.get(id);
            if (entry == null) {
                throw new SpoolException("no message " + id + " in the spool", false);
            }
            targets.add(entry);
        }
        int made = 0;
        Instant now = Instant.now();
        for (QueueEntry entry : targets) {
            synchronized (entry) {
                for (int n = 0; n < entry.recipients.size(); n++) {
                    try {
                        made += entry.retryNow(n, now) ? 1 : 0;
                    } catch (IOException e) {
                        throw new SpoolException("cannot reset " + entry.dir + ": " + e, true, e);
                    }
                }
            }
            schedule(entry, Duration.ZERO);
        }
        return made;
    }

    @Override
    public boolean delete(String id) throws SpoolException {
        QueueEntry entry = entries.remove(id);
        if (entry == null) {
            return false;
        }
        synchronized (entry) {
            entry.deleted = true;
        }
        try {
            remove(entry.dir);
        } catch (IOException e) {
            throw new SpoolException("cannot remove " + entry.dir + ": " + e, true, e);
        }
        LOG.info("Spool: {} deleted from the queue", id);
        return true;
    }

    // ---- delivery

    /**
     * Plans a delivery run of the entry after {@code delay}, unless one is running (it plans the
     * next itself) or an earlier one is already planned.
     */
    private void schedule(QueueEntry entry, Duration delay) {
        long millis = Math.max(0, delay.toMillis());
        synchronized (entry) {
            if (entry.running || entry.deleted || closed) {
                return;
            }
            if (entry.pending != null) {
                if (entry.pending.getDelay(TimeUnit.MILLISECONDS) <= millis) {
                    return;
                }
                entry.pending.cancel(false);
            }
            try {
                entry.pending = executor.schedule(() -> run(entry), millis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                entry.pending = null;
            }
        }
    }

    /** Delivers every due recipient of the entry, then plans what is next. One run per entry at a time. */
    private void run(QueueEntry entry) {
        synchronized (entry) {
            entry.pending = null;
            if (entry.running) {
                return; // a run whose cancellation came too late: the running one plans the next
            }
            entry.running = true;
        }
        boolean noService = false;
        MessageSource source = source(entry.message(), entry.size);
        for (int n = 0; n < entry.recipients.size() && !closed; n++) {
            Instant now = Instant.now();
            synchronized (entry) {
                if (entry.deleted) {
                    break;
                }
                if (!entry.isDue(n, now)) {
                    continue;
                }
            }
            DeliveryService service = delivery.get();
            if (service == null) {
                noService = true;
                break;
            }
            Verdict verdict = attempt(service, entry, n, source);
            if (verdict.outcome() == Verdict.Outcome.UNAVAILABLE) {
                noService = true;
                break;
            }
            record(entry, n, verdict, now);
        }
        synchronized (entry) {
            entry.running = false;
        }
        planNext(entry, noService);
    }

    /** Removes a finished entry, or plans its next delivery run. */
    private void planNext(QueueEntry entry, boolean noService) {
        Instant next;
        synchronized (entry) {
            if (entry.deleted) {
                return;
            }
            if (entry.allDelivered()) {
                entries.remove(entry.id);
                entry.deleted = true;
                try {
                    remove(entry.dir);
                } catch (IOException e) {
                    LOG.warn("Spool: cannot remove {}: {}", entry.dir, e.toString());
                }
                return;
            }
            next = entry.nextDue();
        }
        if (noService) {
            schedule(entry, NO_SERVICE_WAIT);
        } else if (next != null) {
            schedule(entry, Duration.between(Instant.now(), next));
        }
    }

    private static Verdict attempt(DeliveryService service, QueueEntry entry, int n, MessageSource source) {
        SpoolRecipient r = entry.recipients.get(n);
        try {
            return service.deliver(new Delivery(entry.key(n), entry.sender, r.address(), r.user(), source));
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Spool: delivery of {} to {} failed", entry.id, LogText.of(r.user()), e);
            return Verdict.retry("delivery failed: " + e);
        }
    }

    private static MessageSource source(Path file, long size) {
        return new MessageSource() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public long size() {
                return size;
            }
        };
    }

    /**
     * Delivers a message being committed to each of its recipients, when they are few enough
     * ({@link SpoolSettings#deliverBeforeReply}) and a delivery service is there.
     *
     * @return each recipient's verdict, null for one not attempted (no service); null if none was attempted
     */
    private Verdict[] deliverBeforeReply(QueueEntry entry, Path message) {
        int count = entry.recipients.size();
        DeliveryService service = count > settings.deliverBeforeReply() ? null : delivery.get();
        if (service == null) {
            return null;
        }
        MessageSource source = source(message, entry.size);
        Verdict[] verdicts = new Verdict[count];
        for (int n = 0; n < count; n++) {
            Verdict verdict = attempt(service, entry, n, source);
            if (verdict.outcome() == Verdict.Outcome.UNAVAILABLE) {
                break;
            }
            verdicts[n] = verdict;
        }
        return verdicts;
    }

    /** Nothing is left to do for the recipient: delivered, quarantined, or refused to the client. */
    private static boolean done(Verdict verdict, boolean answered) {
        return verdict != null
                && (verdict.outcome() == Verdict.Outcome.DELIVERED
                        || verdict.outcome() == Verdict.Outcome.QUARANTINED
                        || answered);
    }

    private void record(QueueEntry entry, int n, Verdict verdict, Instant now) {
        SpoolRecipient r = entry.recipients.get(n);
        String user = LogText.of(r.user());
        synchronized (entry) {
            if (entry.deleted) {
                return;
            }
            try {
                switch (verdict.outcome()) {
                    case DELIVERED -> {
                        entry.delivered(n, settings.fsync());
                        LOG.info("Spool: {} delivered to {} <{}>", entry.id, user, LogText.of(r.address()));
                    }
                    case QUARANTINED -> {
                        entry.delivered(n, settings.fsync());
                        LOG.info("Spool: {} to {} quarantined: {}", entry.id, user, verdict.reason());
                    }
                    case FAILED, REJECTED -> {
                        entry.failed(n, verdict.reason(), settings.fsync());
                        LOG.warn("Spool: {} to {} failed for good: {}", entry.id, user, verdict.reason());
                    }
                    default -> {
                        if (Duration.between(entry.received, now).compareTo(settings.maxAge()) > 0) {
                            String reason =
                                    "gave up after " + settings.maxAge().toHours() + " hours: " + verdict.reason();
                            entry.failed(n, reason, settings.fsync());
                            LOG.warn("Spool: {} to {} failed for good: {}", entry.id, user, reason);
                        } else {
                            Duration wait = settings.retryDelay(entry.attempts(n) + 1);
                            entry.deferred(n, verdict.reason(), now.plus(wait), settings.fsync());
                            LOG.info(
                                    "Spool: {} to {} deferred, retrying in {} s: {}",
                                    entry.id,
                                    user,
                                    wait.toSeconds(),
                                    verdict.reason());
                        }
                    }
                }
            } catch (IOException e) {
                // The store de-duplicates by key, so a delivery whose marker is lost is only repeated, harmlessly.
                LOG.error("Spool: cannot record the delivery state of {} in {}: {}", entry.id, entry.dir, e.toString());
            }
        }
    }

    /**
     * Takes a message's directory out of the queue in one step (a rename into {@code trash/}),
     * then deletes it: a crash in between leaves it in the trash, never a half-deleted message in
     * the queue that would look damaged.
     */
    private void remove(Path dir) throws IOException {
        Path trashed = trash.resolve(dir.getFileName() + "-" + System.nanoTime());
        Files.move(dir, trashed, StandardCopyOption.ATOMIC_MOVE);
        SpoolFiles.deleteDirectory(trashed);
    }

    private void emptyTrash() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(trash)) {
            for (Path dir : dirs) {
                SpoolFiles.deleteDirectory(dir);
            }
        } catch (IOException e) {
            LOG.warn("Spool: cannot empty {}: {}", trash, e.toString());
        }
    }

    private String newId() {
        StringBuilder id = new StringBuilder(Long.toString(System.currentTimeMillis(), 36)).append('-');
        for (int i = 0; i < 10; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private static void deleteQuietly(Path dir) {
        try {
            SpoolFiles.deleteDirectory(dir);
        } catch (IOException e) {
            LOG.warn("Spool: cannot remove {}: {}", dir, e.toString());
        }
    }

    /** A message being received; commit renames its directory into the queue. */
    private final class Writer implements SpoolWriter {
        private final String id;
        private final Path dir;
        private final String sender;
        private final List<SpoolRecipient> recipients;
        private final FileChannel channel;
        private final OutputStream content;
        private long size;
        private boolean finished;
        /** Set by deliverBeforeReply: the entry the commit queues, and what delivery said before the reply. */
        private QueueEntry entry;

        private Verdict[] early;

        Writer(String id, Path dir, String sender, List<SpoolRecipient> recipients, FileChannel channel) {
            this.id = id;
            this.dir = dir;
            this.sender = sender;
            this.recipients = recipients;
            this.channel = channel;
            OutputStream file = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            this.content = new FilterOutputStream(file) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    size++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    size += len;
                }

                @Override
                public void close() {
                    // the writer closes the file
                }
            };
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public OutputStream content() {
            return content;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public Map<String, Verdict> deliverBeforeReply() throws SpoolException {
            if (entry != null) {
                throw new IllegalStateException("message " + id + " was already delivered before the reply");
            }
            if (finished) {
                throw new IllegalStateException("message " + id + " already committed or discarded");
            }
            if (closed) {
                close();
                throw new SpoolException("the spool is stopping", true);
            }
            try {
                content.flush();
            } catch (IOException e) {
                close();
                throw new SpoolException("cannot store the message in the spool: " + e, true, e);
            }
            entry = new QueueEntry(id, queue.resolve(id), sender, Instant.now(), recipients, size);
            early = FileSpool.this.deliverBeforeReply(entry, dir.resolve(QueueEntry.MESSAGE));
            Map<String, Verdict> byUser = new LinkedHashMap<>();
            for (int n = 0; early != null && n < early.length; n++) {
                if (early[n] != null) {
                    byUser.put(recipients.get(n).user(), early[n]);
                }
            }
            return Collections.unmodifiableMap(byUser);
        }

        @Override
        public String commit() throws SpoolException {
            return commit(Set.of());
        }

        /**
         * Delivers the message to its recipients first when they are few enough (unless the
         * caller did, with deliverBeforeReply): what every recipient has, or was refused to the
         * client, is never queued (and never forced to disk in the spool, the mailboxes have it
         * durably); only the recipients it could not be delivered to are queued.
         */
        @Override
        public String commit(Set<String> answered) throws SpoolException {
            if (entry == null) {
                deliverBeforeReply();
            } else if (finished) {
                throw new IllegalStateException("message " + id + " already committed or discarded");
            }
            boolean[] refused = refusedToClient(answered);
            boolean allDone = early != null;
            for (int n = 0; allDone && n < early.length; n++) {
                allDone = done(early[n], refused[n]);
            }
            if (allDone) {
                LOG.info(
                        "Spool: {} delivered before the reply, {} octets from <{}> to {}",
                        id,
                        size,
                        LogText.of(sender),
                        LogText.of(recipientList()));
                logRefusals(refused);
                close();
                return id;
            }
            // A spool that began stopping meanwhile still queues it: the next instance loads queue/.
            try {
                commitToQueue(entry);
            } catch (IOException e) {
                close();
                throw new SpoolException("cannot store the message in the spool: " + e, true, e);
            }
            finished = true;
            entries.put(id, entry);
            LOG.info(
                    "Spool: {} queued, {} octets from <{}> for {} recipient(s)",
                    id,
                    size,
                    LogText.of(sender),
                    recipients.size());
            logRefusals(refused);
            if (early == null) {
                schedule(entry, Duration.ZERO);
                return id;
            }
            boolean noService = false;
            for (int n = 0; n < early.length; n++) {
                if (refused[n]) {
                    markAnswered(n);
                } else if (early[n] == null) {
                    noService = true;
                } else {
                    record(entry, n, early[n], entry.received);
                }
            }
            planNext(entry, noService);
            return id;
        }

        /** Which recipients the caller answered for; each must have been refused by a filter. */
        private boolean[] refusedToClient(Set<String> answered) {
            boolean[] refused = new boolean[recipients.size()];
            for (String user : answered) {
                int n = 0;
                while (n < recipients.size() && !recipients.get(n).user().equals(user)) {
                    n++;
                }
                if (n == recipients.size() || early == null || early[n] == null || !early[n].refused()) {
                    throw new IllegalArgumentException(
                            "user " + user + " of " + id + " was not refused before the reply");
                }
                refused[n] = true;
            }
            return refused;
        }

        private void logRefusals(boolean[] refused) {
            for (int n = 0; n < refused.length; n++) {
                if (refused[n]) {
                    SpoolRecipient r = recipients.get(n);
                    LOG.info(
                            "Spool: {} refused to the client for {} <{}>: {}",
                            id,
                            LogText.of(r.user()),
                            LogText.of(r.address()),
                            early[n].reason());
                }
            }
        }

        private void markAnswered(int n) {
            synchronized (entry) {
                try {
                    entry.delivered(n, settings.fsync());
                } catch (IOException e) {
                    LOG.error("Spool: cannot record the delivery state of {} in {}: {}", id, entry.dir, e.toString());
                }
            }
        }

        private String recipientList() {
            StringBuilder list = new StringBuilder();
            for (SpoolRecipient r : recipients) {
                list.append(list.length() == 0 ? "" : ", ")
                        .append(r.user())
                        .append(" <")
                        .append(r.address())
                        .append('>');
            }
            return list.toString();
        }

        /** Forces content and envelope to disk and moves the message into the queue in one rename. */
        private void commitToQueue(QueueEntry entry) throws IOException {
            if (settings.fsync()) {
                channel.force(true);
            }
            channel.close();
            entry.writeEnvelope(dir, settings.fsync());
            if (settings.fsync()) {
                SpoolFiles.fsyncDirectory(dir);
            }
            Files.move(dir, entry.dir, StandardCopyOption.ATOMIC_MOVE);
            if (settings.fsync()) {
                SpoolFiles.fsyncDirectory(queue);
                SpoolFiles.fsyncDirectory(incoming);
            }
        }

        @Override
        public void close() {
            if (finished) {
                return;
            }
            finished = true;
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing {}", dir, e);
            }
            deleteQuietly(dir);
        }
    }
}
