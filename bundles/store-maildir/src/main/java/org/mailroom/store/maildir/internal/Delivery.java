package org.mailroom.store.maildir.internal;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes messages into a Maildir as the Maildir spec asks: into {@code tmp/} under a unique name,
 * forced to disk when asked, then into {@code new/} with Dovecot's {@code ,S=} and {@code ,W=}
 * size fields, never replacing a file. Messages arrive in wire form and are kept with LF line
 * ends (CRLF becomes LF, a bare CR stays).
 */
final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final Duration TMP_MAX_AGE = Duration.ofHours(36);
    private static final int BUFFER_SIZE = 64 * 1024;

    private final Encryption encryption;
    private final String host = MaildirNames.sanitizeHost(localHostName());
    private final long pid = ProcessHandle.current().pid();
    private final AtomicLong deliveries = new AtomicLong();

    Delivery(Encryption encryption) {
        this.encryption = encryption;
    }

    /** Neither the cipher nor the time it was waited for came: the delivery may be retried. */
    static final class CipherUnavailableException extends IOException {
        private static final long serialVersionUID = 1L;

        CipherUnavailableException(StoreException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Delivers the message into {@code new/} of the Maildir, whose {@code tmp/} and {@code new/}
     * must exist; on failure nothing of it is left behind. With {@code encryptNewMessages} the
     * file is an envelope of the message cipher, and its name still carries the plaintext sizes.
     *
     * @return the message's uid
     */
    String deliver(Path maildir, InputStream message, MaildirSettings settings) throws IOException {
        return deliver(maildir, message, settings, null);
    }

    /** As {@link #deliver(Path, InputStream, MaildirSettings)}, the file name carrying the key when not null. */
    String deliver(Path maildir, InputStream message, MaildirSettings settings, String key) throws IOException {
        MessageCipher cipher = null;
        if (settings.encryptNewMessages()) {
            try {
                cipher = encryption.await(settings.cipherWait(), "encrypting a new message");
            } catch (StoreException e) {
                throw new CipherUnavailableException(e);
            }
        }
        Path tmp = maildir.resolve("tmp").resolve(uniqueName(key));
        Path target = null;
        boolean done = false;
        try {
            long[] sizes;
            try (FileChannel out = FileChannel.open(
                    tmp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    MaildirFiles.privateFile())) {
                if (cipher == null) {
                    sizes = copyNormalized(message, Channels.newOutputStream(out));
                } else {
                    OutputStream envelope = encrypt(cipher, out);
                    sizes = copyNormalized(message, envelope);
                    envelope.close();
                }
                if (settings.fsync()) {
                    out.force(true);
                }
            }
            String name = null;
            for (int attempt = 0; target == null; attempt++) {
                String base = attempt == 0 ? tmp.getFileName().toString() : uniqueName(key);
                name = base + ",S=" + sizes[0] + ",W=" + sizes[1];
                target = placeInNew(tmp, maildir.resolve("new").resolve(name), attempt);
            }
            if (settings.fsync()) {
                // Only new/: a tmp/ name that a crash brings back is a second link to the same
                // file, which no client sees and the stale-file sweep removes.
                MaildirFiles.fsyncDirectory(target.getParent());
            }
            done = true;
            String uid = MaildirNames.uid(name);
            if (cipher != null) {
                encryption.markVerified(uid, target);
            }
            return uid;
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
     * A name no other delivery on this host uses: {@code <seconds>.M<micros>P<pid>Q<counter>.<host>},
     * with {@code K<key>} after the counter for a keyed delivery ({@link DeliveryKeys}).
     */
    String uniqueName(String key) {
        Instant now = Instant.now();
        return now.getEpochSecond() + ".M" + (now.getNano() / 1000) + "P" + pid + "Q" + deliveries.incrementAndGet()
                + (key == null ? "" : DeliveryKeys.marker(key)) + "." + host;
    }

    /**
     * Removes the files of {@code tmp/} older than 36 hours, left by deliveries that never
     * finished, as the Maildir spec recommends. Failures are logged.
     */
    static void removeStaleTmpFiles(Path maildir) {
        Path tmp = maildir.resolve("tmp");
        Instant cutoff = Instant.now().minus(TMP_MAX_AGE);
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path path : files) {
                try {
                    BasicFileAttributes attrs =
                            Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (attrs.isRegularFile()
                            && attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(path);
                        removed++;
                    }
                } catch (IOException e) {
                    LOG.warn("Cannot remove stale {}: {}", path, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot clean {}: {}", tmp, e.toString());
        }
        if (removed > 0) {
            LOG.info("Removed {} stale file(s) from {}", removed, tmp);
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
    /** An envelope on the channel; closing the envelope completes it and leaves the channel open. */
    private static OutputStream encrypt(MessageCipher cipher, FileChannel channel) throws IOException {
        OutputStream file = new FilterOutputStream(Channels.newOutputStream(channel)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try {
            return cipher.encrypt(new BufferedOutputStream(file, BUFFER_SIZE + 64));
        } catch (StoreException e) {
            throw new CipherUnavailableException(e);
        }
    }

    private static long[] copyNormalized(InputStream in, OutputStream out) throws IOException {
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
            wireSize += WireSize.of(output, o, previousCr);
            fileSize += o;
            out.write(output, 0, o);
            if (o > 0) {
                previousCr = output[o - 1] == '\r';
            }
        }
        if (pendingCr) {
            output[0] = '\r';
            out.write(output, 0, 1);
            fileSize += 1;
            wireSize += 1;
        }
        return new long[] {fileSize, wireSize};
    }

    private static String localHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII)
                    .trim();
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

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Cannot remove {}: {}", path, e.toString());
        }
    }
}
