package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.MessageNotFoundException;
import org.mailroom.api.store.StoreException;

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

    private volatile MaildirSettings settings;
    private final Delivery delivery = new Delivery();
    private final Mailboxes mailboxes = new Mailboxes(delivery);
    private final MessageIndex index = new MessageIndex();
    private final Deletions deletions = new Deletions(index);

    MaildirStore(MaildirSettings settings) {
        this.settings = settings;
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
        InputStream file;
        try {
            deletions.completeInterrupted(s, mailbox);
            file = index.open(mailbox, uid);
        } catch (IOException e) {
            throw failure("opening message " + uid + " of " + user, e);
        }
        if (file == null) {
            throw new MessageNotFoundException("no message " + uid + " in mailbox of " + user);
        }
        return new CrlfInputStream(file);
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
            return delivery.deliver(mailbox, message, s.fsync());
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
                delivery.deliver(mailbox, message, s.fsync(), key);
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
