package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.mailroom.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each user's Maildir is, {@code <root>/<user>}, and its creation on first use: {@code tmp/},
 * {@code new/} and {@code cur/} readable by the server alone, and the welcome messages delivered.
 */
final class Mailboxes {

    private static final Logger LOG = LoggerFactory.getLogger(Mailboxes.class);
    private static final List<String> SUBDIRECTORIES = List.of("tmp", "new", "cur");

    private final Delivery delivery;

    Mailboxes(Delivery delivery) {
        this.delivery = delivery;
    }

    /** The user's Maildir; a user name that cannot name one is a permanent failure. */
    static Path path(MaildirSettings s, String user) throws StoreException {
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

    /** Creates the Maildir if it does not exist, and any of tmp/, new/ and cur/ it lacks. */
    void ensure(MaildirSettings s, Path mailbox) throws IOException {
        if (Files.isDirectory(mailbox.resolve("cur"))
                && Files.isDirectory(mailbox.resolve("new"))
                && Files.isDirectory(mailbox.resolve("tmp"))) {
            return;
        }
        if (!Files.exists(mailbox, LinkOption.NOFOLLOW_LINKS)) {
            create(s, mailbox);
        }
        for (String dir : SUBDIRECTORIES) {
            createDirectoryIfAbsent(mailbox.resolve(dir));
        }
    }

    /**
     * Builds the new Maildir, welcome messages included, in a hidden staging directory and renames
     * it into place, so nobody ever sees a half-made mailbox and concurrent first accesses create
     * it (and deliver the welcome messages) exactly once.
     */
    private void create(MaildirSettings s, Path mailbox) throws IOException {
        Path root = mailbox.getParent();
        Files.createDirectories(root);
        Path staging = root.resolve(".creating." + delivery.uniqueName(null));
        Files.createDirectory(staging, MaildirFiles.privateDirectory());
        try {
            for (String dir : SUBDIRECTORIES) {
                Files.createDirectory(staging.resolve(dir), MaildirFiles.privateDirectory());
            }
            int welcomed = deliverWelcomeMessages(s, staging);
            if (s.fsync()) {
                MaildirFiles.fsyncDirectory(staging);
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
                MaildirFiles.fsyncDirectory(root);
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
                delivery.deliver(staging, in, s);
                delivered++;
            } catch (IOException e) {
                LOG.warn("Cannot deliver welcome message {}: {}", file, e.toString());
            }
        }
        return delivered;
    }

    private static void createDirectoryIfAbsent(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, MaildirFiles.privateDirectory());
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
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
}
