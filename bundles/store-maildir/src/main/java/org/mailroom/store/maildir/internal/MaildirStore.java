package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.MessageNotFoundException;
import org.mailroom.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MailStore} keeping one Maildir per user under a root directory, laid out like Dovecot's
 * {@code mail_location = maildir:<root>/%u}.
 *
 * <p>Errors: an invalid user name and a file the server may not read or remove
 * ({@link AccessDeniedException}) are permanent, because retrying cannot help until an
 * administrator steps in; every other I/O failure (disk full, I/O error, too many open files,
 * a broken input stream) is temporary.
 *
 * <p>Deletion is all or nothing across a crash: {@link #delete} records the files it will remove in
 * the mailbox's {@link ExpungeJournal} before removing the first, and any journal found later (on
 * every use of the mailbox, and for every mailbox by {@link #completeInterruptedDeletions} at start)
 * is completed before the mailbox is used. Journal work on one mailbox is serialized by a lock,
 * which list, open and deliver take only when they find a journal to complete: a delivery only adds
 * a file under a new name, never one that a journal lists.
 */
final class MaildirStore implements MailStore {

    static final Duration TMP_MAX_AGE = Duration.ofHours(36);

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int WIRE_SIZE_CACHE_ENTRIES = 100_000;
    private static final int INDEXED_MAILBOXES = 1024;
    private static final String[] MESSAGE_DIRS = {"new", "cur"};
    private static final int LOCK_STRIPES = 64;
    private static final int MAX_REPORTED_JOURNALS = 1000;
    private static final Comparator<Entry> OLDEST_FIRST = Comparator.comparingLong(Entry::epoch)
            .thenComparingLong(Entry::micros)
            .thenComparingLong(Entry::counter)
            .thenComparing(Entry::name);

    private record Entry(String uid, String name, Path path, long epoch, long micros, long counter, long size,
            Instant received) {
    }

    private enum JournalState { ABSENT, COMPLETED, INVALID }

    /** Test seam: runs after the journal is durable and before the first file is removed. */
    interface BeforeRemoval {
        void run(Path journal) throws IOException;
    }

    private volatile MaildirSettings settings;
    private final String host;
    private final long pid;
    private final AtomicLong deliveries = new AtomicLong();
    private final WireSizeCache wireSizes = new WireSizeCache(WIRE_SIZE_CACHE_ENTRIES);
    private final Object[] mailboxLocks = new Object[LOCK_STRIPES];
    private final Set<String> reportedJournals = ConcurrentHashMap.newKeySet();
    private volatile BeforeRemoval beforeRemoval = journal -> { };
    private final Map<String, Map<String, Path>> indexes = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, Path>> eldest) {
                    return size() > INDEXED_MAILBOXES;
                }
            });

    MaildirStore(MaildirSettings settings) {
        this.settings = settings;
        this.host = MaildirNames.sanitizeHost(localHostName());
        this.pid = ProcessHandle.current().pid();
        for (int i = 0; i < LOCK_STRIPES; i++) {
            mailboxLocks[i] = new Object();
        }
        // Load the stream class now: a stream handed out must keep working after a bundle update.
        new CrlfInputStream(InputStream.nullInputStream());
    }

    /** Applies new settings; later calls use them, calls in progress finish with the old ones. */
    void configure(MaildirSettings newSettings) {
        this.settings = newSettings;
    }

    MaildirSettings settings() {
        return settings;
    }

    void beforeRemoval(BeforeRemoval hook) {
        this.beforeRemoval = hook;
    }

    /**
     * Completes the deletion journal of every mailbox under the root that has one, so that a crash
     * during a deletion is completed on the next start. Failures are logged, not thrown.
     *
     * @return how many journals were completed
     */
    int completeInterruptedDeletions() {
        MaildirSettings s = settings;
        int completed = 0;
        try (DirectoryStream<Path> mailboxes = Files.newDirectoryStream(s.root())) {
            for (Path mailbox : mailboxes) {
                if (MaildirNames.invalidUserReason(mailbox.getFileName().toString()) != null
                        || !Files.exists(mailbox.resolve(ExpungeJournal.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    if (completeJournal(s, mailbox) == JournalState.COMPLETED) {
                        completed++;
                    }
                } catch (IOException e) {
                    LOG.error("Cannot complete the deletion journal {}: {}",
                            mailbox.resolve(ExpungeJournal.FILE_NAME), e.toString());
                }
            }
        } catch (IOException e) {
            LOG.error("Cannot look for interrupted deletions under {}: {}", s.root(), e.toString());
        }
        return completed;
    }

    @Override
    public List<MessageInfo> list(String user) throws StoreException {
        MaildirSettings s = settings;
        Path mailbox = mailboxPath(s, user);
        try {
            completeJournal(s, mailbox);
            ensureMailbox(s, mailbox);
            removeStaleTmpFiles(mailbox);
            List<Entry> entries = scan(mailbox, true);
            entries.sort(OLDEST_FIRST);
            List<MessageInfo> result = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                result.add(new MessageInfo(e.uid(), e.size(), e.received()));
            }
            return result;
        } catch (IOException e) {
            throw failure("listing mailbox of " + user, e);
        }
    }

    @Override
    public InputStream open(String user, String uid) throws StoreException {
        MaildirSettings s = settings;
        Path mailbox = mailboxPath(s, user);
        try {
            completeJournal(s, mailbox);
            Map<String, Path> index = indexes.get(mailbox.toString());
            boolean fresh = false;
            if (index == null) {
                index = refreshIndex(mailbox);
                fresh = true;
            }
            for (int attempt = 0; attempt < 3; attempt++) {
                Path path = uid == null ? null : index.get(uid);
                if (path == null) {
                    if (fresh) {
                        break;
                    }
                } else {
                    try {
                        return new CrlfInputStream(Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS));
                    } catch (NoSuchFileException moved) {
                        LOG.debug("{} moved or vanished, rescanning {}", path, mailbox);
                    }
                }
                index = refreshIndex(mailbox);
                fresh = true;
            }
        } catch (IOException e) {
            throw failure("opening message " + uid + " of " + user, e);
        }
        throw new MessageNotFoundException("no message " + uid + " in mailbox of " + user);
    }

    /**
     * Journals the files of the given uids, removes them, then removes the journal: a crash at any
     * point leaves either all of them or none (the journal is completed on the next use or start).
     */
    @Override
    public int delete(String user, Collection<String> uids) throws StoreException {
        MaildirSettings s = settings;
        Path mailbox = mailboxPath(s, user);
        Path journal = mailbox.resolve(ExpungeJournal.FILE_NAME);
        boolean journaled = false;
        synchronized (lockFor(mailbox)) {
            try {
                if (completeJournalLocked(s, mailbox) == JournalState.INVALID) {
                    setAside(journal);
                }
                List<String> entries = journalEntries(mailbox, uids);
                if (entries.isEmpty()) {
                    return 0;
                }
                writeJournal(s, mailbox, entries);
                journaled = true;
                beforeRemoval.run(journal);
                int removed = removeEntries(s, mailbox, entries);
                // IfExists: another store instance (a bundle update in progress) may have completed it.
                // The removal needs no fsync: a journal that comes back lists only files already gone.
                Files.deleteIfExists(journal);
                return removed;
            } catch (IOException e) {
                throw failure("deleting messages of " + user + (journaled
                        ? " (the deletion is journaled in " + journal + " and will be completed on the next access)"
                        : " (nothing was deleted)"), e);
            } finally {
                if (journaled) {
                    indexes.remove(mailbox.toString());
                }
            }
        }
    }

    /** The files, relative to the mailbox, of the uids that name a message in it now. */
    private List<String> journalEntries(Path mailbox, Collection<String> uids) throws IOException {
        Map<String, Path> index = indexes.get(mailbox.toString());
        boolean fresh = false;
        if (index == null) {
            index = refreshIndex(mailbox);
            fresh = true;
        }
        Set<String> entries = new LinkedHashSet<>();
        for (String uid : uids) {
            if (uid == null) {
                continue;
            }
            Path path = index.get(uid);
            if ((path == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) && !fresh) {
                index = refreshIndex(mailbox);
                fresh = true;
                path = index.get(uid);
            }
            if (path != null && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                entries.add(path.getParent().getFileName() + "/" + path.getFileName());
            }
        }
        return new ArrayList<>(entries);
    }

    /** Writes the journal to a temporary file and renames it into place, durably when fsync is on. */
    private static void writeJournal(MaildirSettings s, Path mailbox, List<String> entries) throws IOException {
        Path temp = mailbox.resolve(ExpungeJournal.TEMP_NAME);
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try (FileChannel out = FileChannel.open(temp, options, privateFile())) {
            byte[] content = ExpungeJournal.format(entries);
            write(content, content.length, out);
            if (s.fsync()) {
                out.force(true);
            }
        }
        Files.move(temp, mailbox.resolve(ExpungeJournal.FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
        if (s.fsync()) {
            fsyncDirectory(mailbox);
        }
    }

    /**
     * Removes the journaled files, durably when fsync is on. A file that is not at its journaled
     * path may have been renamed by another agent (new/ to cur/, flags changed): it is looked up by
     * its base name in both directories.
     *
     * @return how many files were removed
     */
    private static int removeEntries(MaildirSettings s, Path mailbox, List<String> entries) throws IOException {
        int removed = 0;
        Set<String> moved = new HashSet<>();
        for (String entry : entries) {
            if (Files.deleteIfExists(mailbox.resolve(entry))) {
                removed++;
            } else {
                moved.add(MaildirNames.baseName(entry.substring(entry.indexOf('/') + 1)));
            }
        }
        if (!moved.isEmpty()) {
            for (String dir : MESSAGE_DIRS) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(mailbox.resolve(dir))) {
                    for (Path path : files) {
                        String name = path.getFileName().toString();
                        if (!name.startsWith(".") && moved.contains(MaildirNames.baseName(name))
                                && Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(path)) {
                            removed++;
                        }
                    }
                } catch (NoSuchFileException absent) {
                    LOG.trace("{} has no {}/", mailbox, dir);
                }
            }
        }
        if (s.fsync()) {
            for (String dir : MESSAGE_DIRS) {
                try {
                    fsyncDirectory(mailbox.resolve(dir));
                } catch (NoSuchFileException absent) {
                    LOG.trace("{} has no {}/", mailbox, dir);
                }
            }
        }
        return removed;
    }

    /** Completes the mailbox's deletion journal if there is one; cheap when there is none. */
    private JournalState completeJournal(MaildirSettings s, Path mailbox) throws IOException {
        if (!Files.exists(mailbox.resolve(ExpungeJournal.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
            return JournalState.ABSENT;
        }
        synchronized (lockFor(mailbox)) {
            return completeJournalLocked(s, mailbox);
        }
    }

    /** Completes the journal; an invalid one is logged (once) and left alone. Holds the mailbox lock. */
    private JournalState completeJournalLocked(MaildirSettings s, Path mailbox) throws IOException {
        Path journal = mailbox.resolve(ExpungeJournal.FILE_NAME);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(journal, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            return JournalState.ABSENT;
        }
        List<String> entries;
        try {
            if (!attrs.isRegularFile()) {
                throw new ExpungeJournal.InvalidJournalException("not a regular file");
            }
            byte[] content;
            try (InputStream in = Files.newInputStream(journal, LinkOption.NOFOLLOW_LINKS)) {
                content = in.readAllBytes();
            }
            entries = ExpungeJournal.parse(content);
        } catch (ExpungeJournal.InvalidJournalException e) {
            if (reportedJournals.size() > MAX_REPORTED_JOURNALS) {
                reportedJournals.clear();
            }
            if (reportedJournals.add(journal + " " + attrs.lastModifiedTime() + " " + attrs.size())) {
                LOG.error("Deletion journal {} is invalid ({}); left alone, nothing it lists is deleted. "
                        + "Inspect and remove it; the next deletion in this mailbox moves it aside", journal,
                        e.getMessage());
            }
            return JournalState.INVALID;
        }
        int removed = removeEntries(s, mailbox, entries);
        Files.deleteIfExists(journal);
        indexes.remove(mailbox.toString());
        LOG.info("Completed the interrupted deletion journaled in {}: removed {} of {} message(s), the rest were "
                + "already gone", journal, removed, entries.size());
        return JournalState.COMPLETED;
    }

    /** Moves an invalid journal out of the way, keeping it for inspection, so a new one can be written. */
    private static void setAside(Path journal) throws IOException {
        String prefix = ExpungeJournal.FILE_NAME + ".invalid." + System.currentTimeMillis();
        Path aside = journal.resolveSibling(prefix);
        for (int i = 1; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); i++) {
            aside = journal.resolveSibling(prefix + "-" + i);
        }
        Files.move(journal, aside, StandardCopyOption.ATOMIC_MOVE);
        LOG.warn("Moved the invalid deletion journal {} to {} to journal a new deletion; nothing it lists was deleted",
                journal, aside);
    }

    private Object lockFor(Path mailbox) {
        return mailboxLocks[Math.floorMod(mailbox.hashCode(), LOCK_STRIPES)];
    }

    @Override
    public String deliver(String user, InputStream message) throws StoreException {
        MaildirSettings s = settings;
        Path mailbox = mailboxPath(s, user);
        try {
            completeJournal(s, mailbox);
            ensureMailbox(s, mailbox);
            return deliverInto(mailbox, message, s.fsync());
        } catch (IOException e) {
            throw failure("delivering to " + user, e);
        }
    }

    private static Path mailboxPath(MaildirSettings s, String user) throws StoreException {
        String reason = MaildirNames.invalidUserReason(user);
        if (reason != null) {
            throw new StoreException("invalid mailbox name: " + reason, false);
        }
        Path mailbox = s.root().resolve(user).normalize();
        if (!s.root().equals(mailbox.getParent())) {
            throw new StoreException("invalid mailbox name: it leaves the mail root", false);
        }
        return mailbox;
    }

    private static StoreException failure(String what, IOException e) {
        boolean temporary = !(e instanceof AccessDeniedException);
        return new StoreException(what + " failed: " + e, temporary, e);
    }


    private void ensureMailbox(MaildirSettings s, Path mailbox) throws IOException {
        if (Files.isDirectory(mailbox.resolve("cur")) && Files.isDirectory(mailbox.resolve("new"))
                && Files.isDirectory(mailbox.resolve("tmp"))) {
            return;
        }
        if (!Files.exists(mailbox, LinkOption.NOFOLLOW_LINKS)) {
            createMailbox(s, mailbox);
        }
        for (String dir : new String[] {"tmp", "new", "cur"}) {
            createDirectoryIfAbsent(mailbox.resolve(dir));
        }
    }

    /**
     * Builds the new Maildir, welcome messages included, in a hidden staging directory and renames
     * it into place, so nobody ever sees a half-made mailbox and concurrent first accesses create
     * it (and deliver the welcome messages) exactly once.
     */
    private void createMailbox(MaildirSettings s, Path mailbox) throws IOException {
        Path root = mailbox.getParent();
        Files.createDirectories(root);
        Path staging = root.resolve(".creating." + uniqueName());
        Files.createDirectory(staging, privateDirectory());
        try {
            for (String dir : new String[] {"tmp", "new", "cur"}) {
                Files.createDirectory(staging.resolve(dir), privateDirectory());
            }
            int welcomed = deliverWelcomeMessages(s, staging);
            if (s.fsync()) {
                fsyncDirectory(staging);
            }
            try {
                Files.move(staging, mailbox, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (Files.isDirectory(mailbox)) {
                    LOG.debug("mailbox {} was created concurrently", mailbox);
                    return;
                }
                throw e;
            }
            if (s.fsync()) {
                fsyncDirectory(root);
            }
            LOG.info("Created mailbox {} with {} welcome message(s)", mailbox, welcomed);
        } finally {
            deleteTree(staging);
        }
    }

    private int deliverWelcomeMessages(MaildirSettings s, Path staging) {
        Path folder = s.welcomeMessages();
        if (folder == null) {
            return 0;
        }
        List<Path> files;
        try (Stream<Path> stream = Files.list(folder)) {
            files = stream.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            LOG.warn("Cannot read the welcome messages folder {}: {}", folder, e.toString());
            return 0;
        }
        int delivered = 0;
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                deliverInto(staging, in, s.fsync());
                delivered++;
            } catch (IOException e) {
                LOG.warn("Cannot deliver welcome message {}: {}", file, e.toString());
            }
        }
        return delivered;
    }

    private static void createDirectoryIfAbsent(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, privateDirectory());
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    private static FileAttribute<?>[] privateDirectory() {
        return isPosix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------"))} : new FileAttribute<?>[0];
    }

    private static FileAttribute<?>[] privateFile() {
        return isPosix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------"))} : new FileAttribute<?>[0];
    }

    private static boolean isPosix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("Cannot remove {}: {}", dir, e.toString());
        }
    }


    private String deliverInto(Path mailbox, InputStream message, boolean fsync) throws IOException {
        Path tmp = mailbox.resolve("tmp").resolve(uniqueName());
        Path target = null;
        boolean done = false;
        try {
            long[] sizes;
            try (FileChannel out = FileChannel.open(tmp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), privateFile())) {
                sizes = copyNormalized(message, out);
                if (fsync) {
                    out.force(true);
                }
            }
            String name = null;
            for (int attempt = 0; target == null; attempt++) {
                String base = attempt == 0 ? tmp.getFileName().toString() : uniqueName();
                name = base + ",S=" + sizes[0] + ",W=" + sizes[1];
                target = placeInNew(tmp, mailbox.resolve("new").resolve(name), attempt);
            }
            if (fsync) {
                fsyncDirectory(target.getParent());
                fsyncDirectory(tmp.getParent());
            }
            done = true;
            return MaildirNames.uid(name);
        } finally {
            if (!done) {
                deleteQuietly(tmp);
                if (target != null) {
                    deleteQuietly(target);
                }
            }
        }
    }

    /**
     * Moves the finished tmp file to its name in new/ without ever replacing an existing message:
     * link(2) then unlink(2) as the Maildir spec recommends; rename(2) after an existence check
     * where hard links are not available.
     *
     * @return the target, or null when the name is taken and another must be tried
     */
    private static Path placeInNew(Path tmp, Path target, int attempt) throws IOException {
        if (attempt > 10) {
            throw new IOException("cannot find a free name in " + target.getParent());
        }
        try {
            Files.createLink(target, tmp);
            Files.delete(tmp);
            return target;
        } catch (FileAlreadyExistsException taken) {
            return null;
        } catch (UnsupportedOperationException | IOException noLinks) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        }
    }

    /**
     * Copies the message turning CRLF into LF (bare CR is kept) and returns {file size, wire size},
     * the wire size counting every LF not preceded by CR on disk as two octets.
     */
    private static long[] copyNormalized(InputStream in, FileChannel out) throws IOException {
        byte[] input = new byte[BUFFER_SIZE];
        byte[] output = new byte[BUFFER_SIZE + 1];
        boolean pendingCr = false;
        boolean previousCr = false;
        long fileSize = 0;
        long wireSize = 0;
        int r;
        while ((r = in.read(input)) >= 0) {
            int o = 0;
            for (int i = 0; i < r; i++) {
                byte c = input[i];
                if (pendingCr) {
                    pendingCr = false;
                    if (c == '\n') {
                        output[o++] = '\n';
                        continue;
                    }
                    output[o++] = '\r';
                }
                if (c == '\r') {
                    pendingCr = true;
                } else {
                    output[o++] = c;
                }
            }
            wireSize += wireLength(output, o, previousCr);
            fileSize += o;
            write(output, o, out);
            if (o > 0) {
                previousCr = output[o - 1] == '\r';
            }
        }
        if (pendingCr) {
            output[0] = '\r';
            write(output, 1, out);
            fileSize += 1;
            wireSize += 1;
        }
        return new long[] {fileSize, wireSize};
    }

    private static void write(byte[] data, int length, FileChannel out) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    static long wireLength(byte[] data, int length, boolean previousCr) {
        long size = length;
        boolean cr = previousCr;
        for (int i = 0; i < length; i++) {
            byte c = data[i];
            if (c == '\n' && !cr) {
                size++;
            }
            cr = c == '\r';
        }
        return size;
    }

    private String uniqueName() {
        Instant now = Instant.now();
        return now.getEpochSecond() + ".M" + (now.getNano() / 1000) + "P" + pid + "Q" + deliveries.incrementAndGet()
                + "." + host;
    }

    private static String localHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException notLinux) {
            LOG.debug("no /proc/sys/kernel/hostname: {}", notLinux.toString());
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }


    private Map<String, Path> refreshIndex(Path mailbox) throws IOException {
        List<Entry> entries = scan(mailbox, false);
        Map<String, Path> index = new HashMap<>(entries.size() * 2);
        for (Entry e : entries) {
            index.put(e.uid(), e.path());
        }
        return index;
    }

    /** Scans new/ then cur/ and refreshes the mailbox's uid index; sizes only when asked. */
    private List<Entry> scan(Path mailbox, boolean withSizes) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Map<String, Path> index = new HashMap<>();
        for (String dir : MESSAGE_DIRS) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(mailbox.resolve(dir))) {
                for (Path path : files) {
                    String name = path.getFileName().toString();
                    if (name.startsWith(".")) {
                        continue;
                    }
                    Entry entry = entry(path, name, withSizes);
                    if (entry != null && index.putIfAbsent(entry.uid(), path) == null) {
                        entries.add(entry);
                    }
                }
            } catch (NoSuchFileException absent) {
                LOG.trace("{} has no {}/", mailbox, dir);
            }
        }
        indexes.put(mailbox.toString(), Map.copyOf(index));
        return entries;
    }

    private Entry entry(Path path, String name, boolean withSize) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException vanished) {
            return null;
        }
        if (!attrs.isRegularFile()) {
            return null;
        }
        long epoch = MaildirNames.epochSeconds(name);
        Instant received = epoch >= 0 ? Instant.ofEpochSecond(epoch) : attrs.lastModifiedTime().toInstant();
        long size = -1;
        if (withSize) {
            size = wireSize(path, name, attrs);
            if (size < 0) {
                return null;
            }
        }
        return new Entry(MaildirNames.uid(name), name, path, received.getEpochSecond(),
                MaildirNames.middleNumber(name, 'M'), MaildirNames.middleNumber(name, 'Q'), size, received);
    }

    /** The wire size from the name's ,W= (trusted when ,S= agrees with the file), else scanned. */
    private long wireSize(Path path, String name, BasicFileAttributes attrs) throws IOException {
        long w = MaildirNames.sizeField(name, 'W');
        long s = MaildirNames.sizeField(name, 'S');
        if (w >= 0 && (s < 0 || s == attrs.size())) {
            return w;
        }
        String key = path.toString();
        long modified = attrs.lastModifiedTime().toMillis();
        long cached = wireSizes.get(key, modified, attrs.size());
        if (cached >= 0) {
            return cached;
        }
        long scanned;
        try {
            scanned = scanWireSize(path);
        } catch (NoSuchFileException vanished) {
            return -1;
        }
        wireSizes.put(key, modified, attrs.size(), scanned);
        return scanned;
    }

    static long scanWireSize(Path path) throws IOException {
        byte[] buffer = new byte[BUFFER_SIZE];
        long size = 0;
        boolean previousCr = false;
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            int r;
            while ((r = in.read(buffer)) >= 0) {
                size += wireLength(buffer, r, previousCr);
                if (r > 0) {
                    previousCr = buffer[r - 1] == '\r';
                }
            }
        }
        return size;
    }


    private static void removeStaleTmpFiles(Path mailbox) {
        Instant cutoff = Instant.now().minus(TMP_MAX_AGE);
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(mailbox.resolve("tmp"))) {
            for (Path path : files) {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (attrs.isRegularFile() && attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(path);
                        removed++;
                    }
                } catch (IOException e) {
                    LOG.warn("Cannot remove stale {}: {}", path, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot clean {}: {}", mailbox.resolve("tmp"), e.toString());
        }
        if (removed > 0) {
            LOG.info("Removed {} stale file(s) from {}", removed, mailbox.resolve("tmp"));
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Cannot remove {}: {}", path, e.toString());
        }
    }
}
