package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.mailroom.api.store.MailStore;

/**
 * What makes {@link MailStore#deliverOnce} exactly once: a keyed message carries its key in its
 * file name ({@code K<key>} at the end of the unique part), and the keys of deleted keyed messages
 * are appended to {@code mailroom-deleted-keys} in the Maildir before the files go. A key was
 * delivered before if a file in {@code new/} or {@code cur/} carries it or that file lists it.
 * Entries older than {@link MailStore#KEY_RETENTION_DAYS} are dropped when the file is rewritten.
 */
final class DeliveryKeys {

    static final String FILE_NAME = "mailroom-deleted-keys";
    private static final int REWRITE_AT_LINES = 10_000;

    private DeliveryKeys() {}

    /** The unique-name suffix of a keyed delivery. */
    static String marker(String key) {
        return "K" + key;
    }

    /** The key a message file name carries, or null. */
    static String keyOf(String fileName) {
        int dot = fileName.indexOf('.');
        int end = dot < 0 ? -1 : fileName.indexOf('.', dot + 1);
        if (end < 0) {
            return null;
        }
        int k = fileName.lastIndexOf('K', end);
        if (k <= dot) {
            return null;
        }
        String key = fileName.substring(k + 1, end);
        return isKey(key) ? key : null;
    }

    /** Whether the key was delivered into this Maildir before; the caller holds the mailbox lock. */
    static boolean delivered(Path maildir, String key) throws IOException {
        String marker = marker(key) + ".";
        for (String dir : MaildirFiles.MESSAGE_DIRS) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(maildir.resolve(dir))) {
                for (Path file : files) {
                    if (file.getFileName().toString().contains(marker)) {
                        return true;
                    }
                }
            } catch (NoSuchFileException absent) {
                // a Maildir without cur/ yet
            }
        }
        for (String line : lines(maildir.resolve(FILE_NAME))) {
            if (line.startsWith(key + " ")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records the keys of message files about to be deleted (Maildir-relative paths), durably
     * when fsync is on; the caller holds the mailbox lock.
     */
    static void recordDeleted(Path maildir, List<String> entries, boolean fsync) throws IOException {
        StringBuilder added = new StringBuilder();
        long now = Instant.now().getEpochSecond();
        for (String entry : entries) {
            String key = keyOf(entry.substring(entry.indexOf('/') + 1));
            if (key != null) {
                added.append(key).append(' ').append(now).append('\n');
            }
        }
        if (added.length() == 0) {
            return;
        }
        Path file = maildir.resolve(FILE_NAME);
        List<String> existing = lines(file);
        if (existing.size() >= REWRITE_AT_LINES) {
            rewrite(file, existing, added.toString(), fsync);
            return;
        }
        try (FileChannel out = FileChannel.open(
                file,
                EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
                MaildirFiles.privateFile())) {
            byte[] bytes = added.toString().getBytes(StandardCharsets.US_ASCII);
            MaildirFiles.writeFully(bytes, bytes.length, out);
            if (fsync) {
                out.force(true);
            }
        }
        if (fsync) {
            MaildirFiles.fsyncDirectory(maildir);
        }
    }

    /** Keeps the entries younger than the retention, adds the new ones, and replaces the file atomically. */
    private static void rewrite(Path file, List<String> existing, String added, boolean fsync) throws IOException {
        long cutoff = Instant.now()
                .minus(Duration.ofDays(MailStore.KEY_RETENTION_DAYS))
                .getEpochSecond();
        StringBuilder kept = new StringBuilder();
        for (String line : existing) {
            int space = line.indexOf(' ');
            long seconds;
            try {
                seconds = Long.parseLong(line.substring(space + 1));
            } catch (RuntimeException malformed) {
                continue;
            }
            if (space > 0 && seconds >= cutoff) {
                kept.append(line).append('\n');
            }
        }
        kept.append(added);
        Path temp = file.resolveSibling(FILE_NAME + ".tmp");
        try (FileChannel out = FileChannel.open(
                temp,
                EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                MaildirFiles.privateFile())) {
            byte[] bytes = kept.toString().getBytes(StandardCharsets.US_ASCII);
            MaildirFiles.writeFully(bytes, bytes.length, out);
            if (fsync) {
                out.force(true);
            }
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            MaildirFiles.fsyncDirectory(file.getParent());
        }
    }

    private static List<String> lines(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static boolean isKey(String key) {
        try {
            MailStore.checkKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
