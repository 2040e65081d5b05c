package org.mailroom.store.maildir.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code mail:store-rewrap}: each envelope's data key re-wrapped under the current
 * key into a file in {@code tmp/}, which then replaces the message's file atomically (same name,
 * so uids and listings stay). Each file is done under its mailbox's deletion lock, so a message
 * being deleted is never brought back.
 */
final class Rewrap {

    /** What a run did; {@code failed} messages are named in the log. */
    record Result(int mailboxes, int rewrapped, int current, int plain, int failed) {}

    /** Told of each mailbox done. */
    interface Progress {
        void mailbox(Path mailbox, int rewrapped, int current, int plain, int failed);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Rewrap.class);

    private final MessageCipher cipher;
    private final Deletions deletions;
    private final boolean fsync;
    private final Progress progress;
    private int mailboxes;
    private int rewrapped;
    private int current;
    private int plain;
    private int failed;

    Rewrap(MessageCipher cipher, Deletions deletions, boolean fsync, Progress progress) {
        this.cipher = cipher;
        this.deletions = deletions;
        this.fsync = fsync;
        this.progress = progress;
    }

    void mailbox(Path mailbox) throws IOException {
        int[] before = {rewrapped, current, plain, failed};
        for (String dir : MaildirFiles.MESSAGE_DIRS) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(mailbox.resolve(dir))) {
                for (Path file : files) {
                    if (!file.getFileName().toString().startsWith(".")) {
                        deletions.underLock(mailbox, () -> {
                            message(mailbox, file);
                            return null;
                        });
                    }
                }
            } catch (NoSuchFileException absent) {
                LOG.trace("{} has no {}/", mailbox, dir);
            }
        }
        mailboxes++;
        progress.mailbox(mailbox, rewrapped - before[0], current - before[1], plain - before[2], failed - before[3]);
    }

    void failed(Path mailbox, String reason) {
        failed++;
        LOG.error("Re-wrapping mailbox {} failed: {}", mailbox, reason);
    }

    Result result() {
        return new Result(mailboxes, rewrapped, current, plain, failed);
    }

    private void message(Path mailbox, Path file) {
        Path tmp = mailbox.resolve("tmp").resolve(".rewrap-" + file.getFileName());
        boolean replaced = false;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS))) {
            if (!Encryption.isEnvelope((BufferedInputStream) in)) {
                plain++;
                return;
            }
            Files.deleteIfExists(tmp);
            boolean changed;
            try (FileChannel channel = FileChannel.open(
                            tmp,
                            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            MaildirFiles.privateFile());
                    OutputStream out = Channels.newOutputStream(channel)) {
                changed = cipher.rewrap(in, out, file.toString());
                if (changed && fsync) {
                    channel.force(true);
                }
            }
            if (!changed) {
                current++;
                return;
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            replaced = true;
            if (fsync) {
                MaildirFiles.fsyncDirectory(file.getParent());
            }
            rewrapped++;
        } catch (NoSuchFileException gone) {
            LOG.debug("{} went away during the re-wrap", file);
        } catch (IOException | StoreException e) {
            failed++;
            LOG.error("Re-wrapping {} failed (the message is left as it was): {}", file, e.getMessage());
        } finally {
            if (!replaced) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("Cannot remove {}: {}", tmp, e.toString());
                }
            }
        }
    }
}
