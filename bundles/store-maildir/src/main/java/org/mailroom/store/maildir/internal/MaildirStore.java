package org.mailroom.store.maildir.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.mailroom.api.protocol.LogText;
import org.mailroom.api.store.DamagedMessageException;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.MessageNotFoundException;
import org.mailroom.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MailStore} keeping one Maildir per user under a root directory, laid out like Dovecot's
 * {@code mail_location = maildir:<root>/%u}: {@link Mailboxes} finds and creates the Maildirs,
 * {@link Delivery} writes messages into them ({@link DeliveryKeys} makes keyed deliveries
 * exactly once), {@link MessageIndex} lists and finds them and {@link Deletions} removes them,
 * completing first any deletion a crash interrupted.
 *
 * <p>Errors: an invalid user name and a file the server may not read or remove
 * ({@link AccessDeniedException}) are permanent, because retrying cannot help until an
 * administrator steps in; every other I/O failure (disk full, I/O error, too many open files,
 * a broken input stream) is temporary.
 */
final class MaildirStore implements MailStore {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);

    private volatile MaildirSettings settings;
    private final Encryption encryption;
    private final Delivery delivery;
    private final Mailboxes mailboxes;
    private final MessageIndex index;
    private final Deletions deletions;

    /** A store without a message cipher: it writes plain messages and cannot read envelopes. */
    MaildirStore(MaildirSettings settings) {
        this(settings, new Encryption());
    }

    MaildirStore(MaildirSettings settings, Encryption encryption) {
        this.settings = settings;
        this.encryption = encryption;
        this.delivery = new Delivery(encryption);
        this.mailboxes = new Mailboxes(delivery);
        this.index = new MessageIndex(encryption);
        this.deletions = new Deletions(index);
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

    void beforeRemoval(Deletions.BeforeRemoval hook) {
        deletions.beforeRemoval(hook);
    }

    /**
     * Completes the deletion journal of every mailbox under the root that has one, so that a crash
     * during a deletion is completed on the next start. Failures are logged, not thrown.
     *
     * @return how many journals were completed
     */
    int completeInterruptedDeletions() {
        return deletions.completeAll(settings);
    }

    @Override
    public List<MessageInfo> list(String user) throws StoreException {
        MaildirSettings s = settings;
        Path mailbox = Mailboxes.path(s, user);
        try {
            deletions.completeInterrupted(s, mailbox);
            mailboxes.ensure(s, mailbox);
            Delivery.removeStaleTmpFiles(mailbox);
            return index.list(mailbox);
        } catch (IOException e) {
            throw failure("listing mailbox of " + user, e);
        }
    }

    @Override
    public InputStream open(String user, String uid) throws StoreException {
        MaildirSettings s = settings;
        Path mailbox = Mailboxes.path(s, user);
        MessageIndex.Opened opened;
        try {
            deletions.completeInterrupted(s, mailbox);
            opened = index.open(mailbox, uid);
        } catch (IOException e) {
            throw failure("opening message " + uid + " of " + user, e);
        }
        if (opened == null) {
            throw new MessageNotFoundException("no message " + uid + " in mailbox of " + user);
        }
        BufferedInputStream file = new BufferedInputStream(opened.in(), 64 * 1024);
        boolean handedOut = false;
        try {
            InputStream content = Encryption.isEnvelope(file) ? decrypt(s, user, uid, opened.path(), file) : file;
            handedOut = true;
            return new CrlfInputStream(content);
        } catch (IOException e) {
            throw failure("opening message " + uid + " of " + user, e);
        } finally {
            if (!handedOut) {
                closeQuietly(file);
            }
        }
    }

    /**
     * The plaintext of an envelope, checked whole before its first use so that a damaged one is
     * refused before any octet of it is served.
     */
    private InputStream decrypt(MaildirSettings s, String user, String uid, Path path, InputStream file)
            throws StoreException, IOException {
        MessageCipher cipher = encryption.await(s.cipherWait(), "reading encrypted message " + uid + " of " + user);
        try {
            if (!encryption.isVerified(uid, path)) {
                try (InputStream whole = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                    cipher.verify(whole, path.toString());
                }
                encryption.markVerified(uid, path);
            }
            return cipher.decrypt(file, path.toString());
        } catch (DamagedMessageException e) {
            LOG.error("Message {} of {} is damaged and is not served: {}", uid, LogText.of(user), e.getMessage());
            throw e;
        }
    }

    /**
     * Re-wraps the data key of every encrypted message under the cipher's current key, one user's
     * mailbox or (user null) every mailbox under the root, without re-encrypting the messages.
     */
    Rewrap.Result rewrap(String user, Rewrap.Progress progress) throws StoreException {
        MaildirSettings s = settings;
        MessageCipher cipher = encryption.await(s.cipherWait(), "re-wrapping");
        List<Path> boxes = new ArrayList<>();
        if (user != null) {
            boxes.add(Mailboxes.path(s, user));
        } else {
            try (DirectoryStream<Path> all = Files.newDirectoryStream(s.root(), Files::isDirectory)) {
                for (Path p : all) {
                    if (!p.getFileName().toString().startsWith(".")) {
                        boxes.add(p);
                    }
                }
            } catch (IOException e) {
                throw failure("listing mailboxes under " + s.root(), e);
            }
        }
        Rewrap rewrap = new Rewrap(cipher, deletions, s.fsync(), progress);
        for (Path box : boxes) {
            try {
                deletions.completeInterrupted(s, box);
                rewrap.mailbox(box);
            } catch (IOException e) {
                rewrap.failed(box, e.toString());
            }
        }
        return rewrap.result();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("closing a message file: {}", e.toString());
        }
    }

    /** All or nothing across a crash: see {@link Deletions}. */
    @Override
    public int delete(String user, Collection<String> uids) throws StoreException {
        MaildirSettings s = settings;
        Path mailbox = Mailboxes.path(s, user);
        try {
            return deletions.delete(s, mailbox, uids);
        } catch (Deletions.JournaledException e) {
            throw failure(
                    "deleting messages of " + user + " (the deletion is journaled in " + e.journal()
                            + " and will be completed on the next access)",
                    e.reason());
        } catch (IOException e) {
            throw failure("deleting messages of " + user + " (nothing was deleted)", e);
        }
    }

    @Override
    public String deliver(String user, InputStream message) throws StoreException {
        MaildirSettings s = settings;
        Path mailbox = Mailboxes.path(s, user);
        try {
            deletions.completeInterrupted(s, mailbox);
            mailboxes.ensure(s, mailbox);
            return delivery.deliver(mailbox, message, s);
        } catch (IOException e) {
            throw failure("delivering to " + user, e);
        }
    }

    @Override
    public boolean deliverOnce(String user, String key, InputStream message) throws StoreException {
        MailStore.checkKey(key);
        MaildirSettings s = settings;
        Path mailbox = Mailboxes.path(s, user);
        try {
            deletions.completeInterrupted(s, mailbox);
            mailboxes.ensure(s, mailbox);
            return deletions.underLock(mailbox, () -> {
                if (DeliveryKeys.delivered(mailbox, key)) {
                    return false;
                }
                delivery.deliver(mailbox, message, s, key);
                return true;
            });
        } catch (IOException e) {
            throw failure("delivering " + key + " to " + user, e);
        }
    }

    private static StoreException failure(String what, IOException e) {
        boolean temporary = !(e instanceof AccessDeniedException);
        return new StoreException(what + " failed: " + e, temporary, e);
    }
}
