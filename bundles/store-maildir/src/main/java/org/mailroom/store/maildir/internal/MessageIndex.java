package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages in the {@code new/} and {@code cur/} of each Maildir: listed oldest first with
 * their wire sizes, and found by uid. The listing of the most recently used mailboxes is kept
 * and reused while neither directory has changed (modification time and identity, as Dovecot
 * checks a Maildir): a message file never changes under its name, so a rescan stats only the
 * names it has not seen. A file that is not where the listing says (renamed by another agent)
 * makes it rescan.
 */
final class MessageIndex {

    private static final Logger LOG = LoggerFactory.getLogger(MessageIndex.class);
    private static final int WIRE_SIZE_CACHE_ENTRIES = 100_000;
    private static final int CACHED_MAILBOXES = 1024;
    private static final int CACHED_MESSAGES = 100_000;
    /**
     * A listing is reused only if it was started at least this long after the directories last
     * changed: a change within the same timestamp tick (a second on some file systems) would
     * otherwise leave the modification time as it was.
     */
    private static final long SETTLED_MILLIS = 1000;

    private static final Comparator<Entry> OLDEST_FIRST = Comparator.comparingLong(Entry::epoch)
            .thenComparingLong(Entry::micros)
            .thenComparingLong(Entry::counter)
            .thenComparing(Entry::name);

    /** One message file; {@code size} is -1 when the scan did not need it. */
    private record Entry(String uid, String dir, String name, long epoch, long micros, long counter, long size) {
        Path path(Path mailbox) {
            return mailbox.resolve(dir).resolve(name);
        }
    }

    /** Modification time and identity of new/ and cur/, taken before a scan. */
    private record DirStamp(FileTime newModified, Object newKey, FileTime curModified, Object curKey) {
        static DirStamp of(Path mailbox) throws IOException {
            try {
                BasicFileAttributes n = Files.readAttributes(
                        mailbox.resolve("new"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                BasicFileAttributes c = Files.readAttributes(
                        mailbox.resolve("cur"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return new DirStamp(n.lastModifiedTime(), n.fileKey(), c.lastModifiedTime(), c.fileKey());
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        long newestMillis() {
            return Math.max(newModified.toMillis(), curModified.toMillis());
        }
    }

    /**
     * A scan of one mailbox: its entries oldest first, by uid, and whether {@link #stamp} proves
     * it current (null stamp: not reusable for listing, only for finding files).
     */
    private record Listing(DirStamp stamp, boolean withSizes, List<Entry> entries, Map<String, Entry> byUid) {}

    private final WireSizeCache wireSizes = new WireSizeCache(WIRE_SIZE_CACHE_ENTRIES);
    private final Encryption encryption;

    MessageIndex(Encryption encryption) {
        this.encryption = encryption;
    }

    private final ListingCache listings = new ListingCache();

    /** The mailbox's messages, oldest first, with their wire sizes. */
    List<MessageInfo> list(Path mailbox) throws IOException {
        String key = mailbox.toString();
        long started = System.currentTimeMillis();
        DirStamp stamp = DirStamp.of(mailbox);
        Listing previous = listings.get(key);
        Listing listing;
        if (previous != null && previous.withSizes() && stamp != null && stamp.equals(previous.stamp())) {
            listing = previous;
        } else {
            boolean settled = stamp != null && started - stamp.newestMillis() >= SETTLED_MILLIS;
            listing = scan(mailbox, true, settled ? stamp : null, previous);
        }
        List<MessageInfo> result = new ArrayList<>(listing.entries().size());
        for (Entry e : listing.entries()) {
            result.add(new MessageInfo(e.uid(), e.size(), Instant.ofEpochSecond(e.epoch())));
        }
        return result;
    }

    /** A message file opened for reading, and where it is. */
    record Opened(Path path, InputStream in) {}

    /** The message's file opened for reading, or null when the mailbox holds no message with that uid. */
    Opened open(Path mailbox, String uid) throws IOException {
        Listing listing = listings.get(mailbox.toString());
        boolean fresh = false;
        if (listing == null) {
            listing = refresh(mailbox, null);
            fresh = true;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            Entry entry = uid == null ? null : listing.byUid().get(uid);
            if (entry == null) {
                if (fresh) {
                    break;
                }
            } else {
                Path path = entry.path(mailbox);
                try {
                    return new Opened(path, Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS));
                } catch (NoSuchFileException moved) {
                    LOG.debug("{} moved or vanished, rescanning {}", path, mailbox);
                }
            }
            listing = refresh(mailbox, listing);
            fresh = true;
        }
        return null;
    }

    /** The files, relative to the mailbox, of the uids that name a message in it now. */
    List<String> files(Path mailbox, Collection<String> uids) throws IOException {
        Listing listing = listings.get(mailbox.toString());
        boolean fresh = false;
        if (listing == null) {
            listing = refresh(mailbox, null);
            fresh = true;
        }
        Set<String> files = new LinkedHashSet<>();
        for (String uid : uids) {
            if (uid == null) {
                continue;
            }
            Entry entry = listing.byUid().get(uid);
            if ((entry == null || !Files.exists(entry.path(mailbox), LinkOption.NOFOLLOW_LINKS)) && !fresh) {
                listing = refresh(mailbox, listing);
                fresh = true;
                entry = listing.byUid().get(uid);
            }
            if (entry != null && Files.exists(entry.path(mailbox), LinkOption.NOFOLLOW_LINKS)) {
                files.add(entry.dir() + "/" + entry.name());
            }
        }
        return new ArrayList<>(files);
    }

    /** Drops the mailbox's listing, after its files were removed; the next use rescans. */
    void forget(Path mailbox) {
        listings.remove(mailbox.toString());
    }

    /** A listing known to be out of date: rescanned, and not reusable for {@link #list}. */
    private Listing refresh(Path mailbox, Listing previous) throws IOException {
        return scan(mailbox, false, null, previous);
    }

    /**
     * Scans new/ then cur/ and keeps the result. Names the previous listing has are taken from it
     * (with their size, when it has one) instead of being stat'ed again.
     */
    private Listing scan(Path mailbox, boolean withSizes, DirStamp stamp, Listing previous) throws IOException {
        Map<String, Entry> known = new HashMap<>();
        if (previous != null) {
            for (Entry e : previous.entries()) {
                if (!withSizes || e.size() >= 0) {
                    known.put(e.dir() + "/" + e.name(), e);
                }
            }
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, Entry> byUid = new HashMap<>();
        for (String dir : MaildirFiles.MESSAGE_DIRS) {
            Path directory = mailbox.resolve(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
                for (Path path : files) {
                    String name = path.getFileName().toString();
                    if (name.startsWith(".")) {
                        continue;
                    }
                    Entry entry = known.get(dir + "/" + name);
                    if (entry == null) {
                        entry = entry(path, dir, name, withSizes);
                    }
                    if (entry != null && byUid.putIfAbsent(entry.uid(), entry) == null) {
                        entries.add(entry);
                    }
                }
            } catch (NoSuchFileException absent) {
                LOG.trace("{} has no {}/", mailbox, dir);
            }
        }
        entries.sort(OLDEST_FIRST);
        Listing listing = new Listing(stamp, withSizes, List.copyOf(entries), Map.copyOf(byUid));
        listings.put(mailbox.toString(), listing);
        return listing;
    }

    private Entry entry(Path path, String dir, String name, boolean withSize) throws IOException {
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
        if (epoch < 0) {
            epoch = attrs.lastModifiedTime().toInstant().getEpochSecond();
        }
        long size = -1;
        if (withSize) {
            size = wireSize(path, name, attrs);
            if (size < 0) {
                return null;
            }
        }
        return new Entry(
                MaildirNames.uid(name),
                dir,
                name,
                epoch,
                MaildirNames.middleNumber(name, 'M'),
                MaildirNames.middleNumber(name, 'Q'),
                size);
    }

    /**
     * The wire size from the name's ,W=, trusted when ,S= agrees with the file or the file is an
     * envelope (whose ,S= is the plaintext's, as Dovecot's compressed and encrypted Maildirs do);
     * else scanned, an envelope through the message cipher.
     */
    private long wireSize(Path path, String name, BasicFileAttributes attrs) throws IOException {
        long w = MaildirNames.sizeField(name, 'W');
        long s = MaildirNames.sizeField(name, 'S');
        if (w >= 0 && (s < 0 || s == attrs.size())) {
            return w;
        }
        boolean envelope;
        try {
            envelope = Encryption.isEnvelope(path);
        } catch (NoSuchFileException vanished) {
            return -1;
        }
        if (envelope && w >= 0) {
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
            scanned = envelope ? scanEnvelope(path) : WireSize.scan(path);
        } catch (NoSuchFileException vanished) {
            return -1;
        }
        wireSizes.put(key, modified, attrs.size(), scanned);
        return scanned;
    }

    private long scanEnvelope(Path path) throws IOException {
        MessageCipher cipher = encryption.current();
        if (cipher == null) {
            throw new IOException(
                    path + " is encrypted and has no ,W= size; no message cipher is registered to read it");
        }
        try (InputStream plain =
                cipher.decrypt(Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS), path.toString())) {
            return WireSize.scan(plain);
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The most recently used listings, at most {@link #CACHED_MAILBOXES} and {@link #CACHED_MESSAGES} in all. */
    private static final class ListingCache {
        private final LinkedHashMap<String, Listing> map = new LinkedHashMap<>(64, 0.75f, true);
        private long messages;

        synchronized Listing get(String key) {
            return map.get(key);
        }

        synchronized void put(String key, Listing listing) {
            Listing old = map.put(key, listing);
            messages +=
                    listing.entries().size() - (old == null ? 0 : old.entries().size());
            Iterator<Map.Entry<String, Listing>> eldest = map.entrySet().iterator();
            while ((map.size() > CACHED_MAILBOXES || messages > CACHED_MESSAGES) && map.size() > 1) {
                Listing dropped = eldest.next().getValue();
                eldest.remove();
                messages -= dropped.entries().size();
            }
        }

        synchronized void remove(String key) {
            Listing old = map.remove(key);
            if (old != null) {
                messages -= old.entries().size();
            }
        }
    }
}
