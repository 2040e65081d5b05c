package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mailroom.api.store.MessageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages in the {@code new/} and {@code cur/} of each Maildir: listed oldest first with
 * their wire sizes, and found by uid through an index per mailbox, kept for the most recently
 * used mailboxes, that is rebuilt when a file is not where it says (renamed by another agent).
 */
final class MessageIndex {

    private static final Logger LOG = LoggerFactory.getLogger(MessageIndex.class);
    private static final int WIRE_SIZE_CACHE_ENTRIES = 100_000;
    private static final int INDEXED_MAILBOXES = 1024;
    private static final Comparator<Entry> OLDEST_FIRST = Comparator.comparingLong(Entry::epoch)
            .thenComparingLong(Entry::micros)
            .thenComparingLong(Entry::counter)
            .thenComparing(Entry::name);

    private record Entry(
            String uid, String name, Path path, long epoch, long micros, long counter, long size, Instant received) {}

    private final WireSizeCache wireSizes = new WireSizeCache(WIRE_SIZE_CACHE_ENTRIES);
    private final Map<String, Map<String, Path>> indexes =
            Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, Path>> eldest) {
                    return size() > INDEXED_MAILBOXES;
                }
            });

    /** The mailbox's messages, oldest first, with their wire sizes; refreshes its index. */
    List<MessageInfo> list(Path mailbox) throws IOException {
        List<Entry> entries = scan(mailbox, true);
        entries.sort(OLDEST_FIRST);
        List<MessageInfo> result = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            result.add(new MessageInfo(e.uid(), e.size(), e.received()));
        }
        return result;
    }

    /** The message's file opened for reading, or null when the mailbox holds no message with that uid. */
    InputStream open(Path mailbox, String uid) throws IOException {
        Map<String, Path> index = indexes.get(mailbox.toString());
        boolean fresh = false;
        if (index == null) {
            index = refresh(mailbox);
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
                    return Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException moved) {
                    LOG.debug("{} moved or vanished, rescanning {}", path, mailbox);
                }
            }
            index = refresh(mailbox);
            fresh = true;
        }
        return null;
    }

    /** The files, relative to the mailbox, of the uids that name a message in it now. */
    List<String> files(Path mailbox, Collection<String> uids) throws IOException {
        Map<String, Path> index = indexes.get(mailbox.toString());
        boolean fresh = false;
        if (index == null) {
            index = refresh(mailbox);
            fresh = true;
        }
        Set<String> files = new LinkedHashSet<>();
        for (String uid : uids) {
            if (uid == null) {
                continue;
            }
            Path path = index.get(uid);
            if ((path == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) && !fresh) {
                index = refresh(mailbox);
                fresh = true;
                path = index.get(uid);
            }
            if (path != null && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                files.add(path.getParent().getFileName() + "/" + path.getFileName());
            }
        }
        return new ArrayList<>(files);
    }

    /** Drops the mailbox's index, after its files were removed; the next use rescans. */
    void forget(Path mailbox) {
        indexes.remove(mailbox.toString());
    }

    private Map<String, Path> refresh(Path mailbox) throws IOException {
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
        for (String dir : MaildirFiles.MESSAGE_DIRS) {
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
        Instant received = epoch >= 0
                ? Instant.ofEpochSecond(epoch)
                : attrs.lastModifiedTime().toInstant();
        long size = -1;
        if (withSize) {
            size = wireSize(path, name, attrs);
            if (size < 0) {
                return null;
            }
        }
        return new Entry(
                MaildirNames.uid(name),
                name,
                path,
                received.getEpochSecond(),
                MaildirNames.middleNumber(name, 'M'),
                MaildirNames.middleNumber(name, 'Q'),
                size,
                received);
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
            scanned = WireSize.scan(path);
        } catch (NoSuchFileException vanished) {
            return -1;
        }
        wireSizes.put(key, modified, attrs.size(), scanned);
        return scanned;
    }
}
