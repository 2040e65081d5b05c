package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletion that is all or nothing across a crash: {@link #delete} records the files it will remove
 * in the mailbox's {@link ExpungeJournal} before removing the first, and any journal found later
 * (on every use of the mailbox, and for every mailbox by {@link #completeAll} at start) is
 * completed before the mailbox is used. Journal work on one mailbox is serialized by a lock, which
 * the other operations take only when they find a journal to complete: a delivery only adds a
 * file under a new name, never one that a journal lists.
 */
final class Deletions {

    private static final Logger LOG = LoggerFactory.getLogger(Deletions.class);
    private static final int LOCK_STRIPES = 64;
    private static final int MAX_REPORTED_JOURNALS = 1000;

    private enum JournalState {
        ABSENT,
        COMPLETED,
        INVALID
    }

    /** Test seam: runs after the journal is durable and before the first file is removed. */
    interface BeforeRemoval {
        void run(Path journal) throws IOException;
    }

    /** A deletion failed after its journal was written: the journal completes it on the next access. */
    static final class JournaledException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Path journal;

        JournaledException(Path journal, IOException cause) {
            super(cause);
            this.journal = journal;
        }

        Path journal() {
            return journal;
        }

        IOException reason() {
            return (IOException) getCause();
        }
    }

    private final MessageIndex index;
    private final Object[] mailboxLocks = new Object[LOCK_STRIPES];
    private final Set<String> reportedJournals = ConcurrentHashMap.newKeySet();
    private volatile BeforeRemoval beforeRemoval = journal -> {};

    Deletions(MessageIndex index) {
        this.index = index;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            mailboxLocks[i] = new Object();
        }
    }

    void beforeRemoval(BeforeRemoval hook) {
        this.beforeRemoval = hook;
    }

    /**
     * Completes the deletion journal of every mailbox under the root that has one. Failures are
     * logged, not thrown.
     *
     * @return how many journals were completed
     */
    int completeAll(MaildirSettings s) {
        int completed = 0;
        try (DirectoryStream<Path> mailboxes = Files.newDirectoryStream(s.root())) {
            for (Path mailbox : mailboxes) {
                if (MaildirNames.invalidUserReason(mailbox.getFileName().toString()) != null
                        || !Files.exists(mailbox.resolve(ExpungeJournal.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    if (completeInterrupted(s, mailbox)) {
                        completed++;
                    }
                } catch (IOException e) {
                    LOG.error(
                            "Cannot complete the deletion journal {}: {}",
                            mailbox.resolve(ExpungeJournal.FILE_NAME),
                            e.toString());
                }
            }
        } catch (IOException e) {
            LOG.error("Cannot look for interrupted deletions under {}: {}", s.root(), e.toString());
        }
        return completed;
    }

    /**
     * Completes the mailbox's deletion journal if there is one; cheap when there is none.
     *
     * @return whether a journal was completed
     */
    boolean completeInterrupted(MaildirSettings s, Path mailbox) throws IOException {
        // java.io.File: a missing file (the usual case, on every open) costs no exception.
        if (!mailbox.resolve(ExpungeJournal.FILE_NAME).toFile().exists()) {
            return false;
        }
        synchronized (lockFor(mailbox)) {
            return completeLocked(s, mailbox) == JournalState.COMPLETED;
        }
    }

    /**
     * Journals the files of the given uids, removes them, then removes the journal: a crash at any
     * point leaves either all of them or none.
     *
     * @return how many files were removed
     * @throws JournaledException when it failed after the journal was written
     */
    int delete(MaildirSettings s, Path mailbox, Collection<String> uids) throws IOException {
        Path journal = mailbox.resolve(ExpungeJournal.FILE_NAME);
        synchronized (lockFor(mailbox)) {
            if (completeLocked(s, mailbox) == JournalState.INVALID) {
                setAside(journal);
            }
            List<String> entries = index.files(mailbox, uids);
            if (entries.isEmpty()) {
                return 0;
            }
            writeJournal(s, mailbox, entries);
            try {
                beforeRemoval.run(journal);
                int removed = removeEntries(s, mailbox, entries);
                // IfExists: another store instance (a bundle update in progress) may have completed it.
                // The removal needs no fsync: a journal that comes back lists only files already gone.
                Files.deleteIfExists(journal);
                return removed;
            } catch (IOException e) {
                throw new JournaledException(journal, e);
            } finally {
                index.forget(mailbox);
            }
        }
    }

    /** Completes the journal; an invalid one is logged (once) and left alone. Holds the mailbox lock. */
    private JournalState completeLocked(MaildirSettings s, Path mailbox) throws IOException {
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
                LOG.error(
                        "Deletion journal {} is invalid ({}); left alone, nothing it lists is deleted. "
                                + "Inspect and remove it; the next deletion in this mailbox moves it aside",
                        journal,
                        e.getMessage());
            }
            return JournalState.INVALID;
        }
        int removed = removeEntries(s, mailbox, entries);
        Files.deleteIfExists(journal);
        index.forget(mailbox);
        LOG.info(
                "Completed the interrupted deletion journaled in {}: removed {} of {} message(s), the rest were "
                        + "already gone",
                journal,
                removed,
                entries.size());
        return JournalState.COMPLETED;
    }

    /** Writes the journal to a temporary file and renames it into place, durably when fsync is on. */
    private static void writeJournal(MaildirSettings s, Path mailbox, List<String> entries) throws IOException {
        Path temp = mailbox.resolve(ExpungeJournal.TEMP_NAME);
        Set<OpenOption> options = Set.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try (FileChannel out = FileChannel.open(temp, options, MaildirFiles.privateFile())) {
            byte[] content = ExpungeJournal.format(entries);
            MaildirFiles.writeFully(content, content.length, out);
            if (s.fsync()) {
                out.force(true);
            }
        }
        Files.move(temp, mailbox.resolve(ExpungeJournal.FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
        if (s.fsync()) {
            MaildirFiles.fsyncDirectory(mailbox);
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
        DeliveryKeys.recordDeleted(mailbox, entries, s.fsync());
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
            for (String dir : MaildirFiles.MESSAGE_DIRS) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(mailbox.resolve(dir))) {
                    for (Path path : files) {
                        String name = path.getFileName().toString();
                        if (!name.startsWith(".")
                                && moved.contains(MaildirNames.baseName(name))
                                && Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                                && Files.deleteIfExists(path)) {
                            removed++;
                        }
                    }
                } catch (NoSuchFileException absent) {
                    LOG.trace("{} has no {}/", mailbox, dir);
                }
            }
        }
        if (s.fsync()) {
            for (String dir : MaildirFiles.MESSAGE_DIRS) {
                try {
                    MaildirFiles.fsyncDirectory(mailbox.resolve(dir));
                } catch (NoSuchFileException absent) {
                    LOG.trace("{} has no {}/", mailbox, dir);
                }
            }
        }
        return removed;
    }

    /** Moves an invalid journal out of the way, keeping it for inspection, so a new one can be written. */
    private static void setAside(Path journal) throws IOException {
        String prefix = ExpungeJournal.FILE_NAME + ".invalid." + System.currentTimeMillis();
        Path aside = journal.resolveSibling(prefix);
        for (int i = 1; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); i++) {
            aside = journal.resolveSibling(prefix + "-" + i);
        }
        Files.move(journal, aside, StandardCopyOption.ATOMIC_MOVE);
        LOG.warn(
                "Moved the invalid deletion journal {} to {} to journal a new deletion; nothing it lists was deleted",
                journal,
                aside);
    }

    interface Locked<T> {
        T run() throws IOException;
    }

    /** Runs with the mailbox's deletion lock held, so that no deletion in it runs meanwhile. */
    <T> T underLock(Path mailbox, Locked<T> work) throws IOException {
        synchronized (lockFor(mailbox)) {
            return work.run();
        }
    }

    private Object lockFor(Path mailbox) {
        return mailboxLocks[Math.floorMod(mailbox.hashCode(), LOCK_STRIPES)];
    }
}
