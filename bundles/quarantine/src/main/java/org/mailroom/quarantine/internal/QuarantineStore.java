package org.mailroom.quarantine.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import org.mailroom.api.filter.HeldMessage;
import org.mailroom.api.filter.Quarantine;
import org.mailroom.api.protocol.LogText;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quarantine on disk: {@code <directory>/<id>/message} (as it would have been delivered) and
 * {@code <directory>/<id>/envelope} (sender, recipient, user, filter, reason, time), written in a
 * directory of its own and renamed into place in one step, so a crash leaves a message held whole
 * or not at all (a half-written one stays under {@code .incoming/}, removed at start). The id is
 * the delivery's key, which makes holding exactly once per delivery and lets a release deliver
 * under that same key: the mailbox never had it.
 */
final class QuarantineStore implements Quarantine {

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineStore.class);
    static final String MESSAGE = "message";
    static final String ENVELOPE = "envelope";

    private final Path directory;
    private final Path incoming;
    private final boolean fsync;
    private final Supplier<MailStore> store;

    QuarantineStore(Path directory, boolean fsync, Supplier<MailStore> store) throws IOException {
        this.directory = directory;
        this.incoming = directory.resolve(".incoming");
        this.fsync = fsync;
        this.store = store;
        Files.createDirectories(incoming);
        try (DirectoryStream<Path> left = Files.newDirectoryStream(incoming)) {
            for (Path dir : left) {
                deleteDirectory(dir);
            }
        }
    }

    Path directory() {
        return directory;
    }

    @Override
    public String hold(HeldMessage held, InputStream message) throws IOException {
        String id = held.id();
        MailStore.checkKey(id);
        Path target = directory.resolve(id);
        if (Files.isDirectory(target)) {
            return id;
        }
        Path dir = incoming.resolve(id + "-" + System.nanoTime());
        Files.createDirectory(dir);
        try {
            try (FileChannel channel = FileChannel.open(
                            dir.resolve(MESSAGE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                message.transferTo(out);
                out.flush();
                if (fsync) {
                    channel.force(true);
                }
            }
            Properties envelope = new Properties();
            envelope.setProperty("sender", held.sender());
            envelope.setProperty("recipient", held.recipient());
            envelope.setProperty("user", held.user());
            envelope.setProperty("filter", held.filter());
            envelope.setProperty("reason", held.reason());
            envelope.setProperty("held", Instant.now().toString());
            StringWriter text = new StringWriter();
            envelope.store(text, "mailroom-quarantine 1");
            try (FileChannel channel =
                    FileChannel.open(dir.resolve(ENVELOPE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(UTF_8)));
                if (fsync) {
                    channel.force(true);
                }
            }
            if (fsync) {
                fsyncDirectory(dir);
            }
            try {
                Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (Files.isDirectory(target)) {
                    deleteDirectory(dir); // held meanwhile by a concurrent attempt of the same key
                    return id;
                }
                throw e;
            }
            if (fsync) {
                fsyncDirectory(directory);
            }
        } catch (IOException | RuntimeException e) {
            deleteDirectory(dir);
            throw e;
        }
        return id;
    }

    /** How many messages are held (their directories, without reading them). */
    int count() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path dir : dirs) {
                n += dir.equals(incoming) ? 0 : 1;
            }
        }
        return n;
    }

    @Override
    public List<HeldMessage> list() throws IOException {
        List<HeldMessage> held = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path dir : dirs) {
                if (!dir.equals(incoming)) {
                    HeldMessage m = read(dir);
                    if (m != null) {
                        held.add(m);
                    }
                }
            }
        }
        held.sort(Comparator.comparing(HeldMessage::held).thenComparing(HeldMessage::id));
        return held;
    }

    @Override
    public HeldMessage find(String id) throws IOException {
        return valid(id) ? read(directory.resolve(id)) : null;
    }

    @Override
    public InputStream open(String id) throws IOException {
        if (!valid(id)) {
            throw new NoSuchFileException("no message " + id + " in the quarantine");
        }
        return Files.newInputStream(directory.resolve(id).resolve(MESSAGE));
    }

    @Override
    public boolean release(String id) throws IOException {
        HeldMessage held = find(id);
        if (held == null) {
            return false;
        }
        MailStore current = store.get();
        if (current == null) {
            throw new IOException("no mail store is available now; " + id + " stays in the quarantine");
        }
        try (InputStream message = open(id)) {
            current.deliverOnce(held.user(), id, message);
        } catch (StoreException e) {
            throw new IOException("cannot deliver " + id + " to " + held.user() + ": " + e.getMessage(), e);
        }
        LOG.info("Quarantine: {} released into the mailbox of {}", id, LogText.of(held.user()));
        return remove(id);
    }

    @Override
    public boolean delete(String id) throws IOException {
        boolean removed = find(id) != null && remove(id);
        if (removed) {
            LOG.info("Quarantine: {} deleted", id);
        }
        return removed;
    }

    /** Takes the message out in one rename, then deletes it. */
    private boolean remove(String id) throws IOException {
        Path gone = incoming.resolve(id + "-removed-" + System.nanoTime());
        try {
            Files.move(directory.resolve(id), gone, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return false;
        }
        deleteDirectory(gone);
        return true;
    }

    private HeldMessage read(Path dir) throws IOException {
        Properties envelope = new Properties();
        try {
            envelope.load(new StringReader(Files.readString(dir.resolve(ENVELOPE), UTF_8)));
        } catch (NoSuchFileException e) {
            return null;
        }
        long size;
        try {
            size = Files.size(dir.resolve(MESSAGE));
        } catch (NoSuchFileException e) {
            return null;
        }
        Instant when;
        try {
            when = Instant.parse(envelope.getProperty("held", ""));
        } catch (java.time.format.DateTimeParseException e) {
            when = Instant.EPOCH;
        }
        return new HeldMessage(
                dir.getFileName().toString(),
                envelope.getProperty("sender", ""),
                envelope.getProperty("recipient", ""),
                envelope.getProperty("user", ""),
                envelope.getProperty("filter", ""),
                envelope.getProperty("reason", ""),
                when,
                size);
    }

    private static boolean valid(String id) {
        try {
            MailStore.checkKey(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
