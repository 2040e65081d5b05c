package org.mailroom.shell.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.filter.HeldMessage;
import org.mailroom.api.filter.Quarantine;
import org.mailroom.api.spool.QueuedMessage;
import org.mailroom.api.spool.RecipientStatus;
import org.mailroom.api.spool.Spool;
import org.mailroom.api.spool.SpoolException;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;

/** What the commands do, apart from Karaf glue; every method returns the text to print. */
final class MailCommands {

    /** Reads a line from the console, masking the echo with the given character. */
    interface Prompter {
        String readLine(String prompt, Character mask) throws IOException;
    }

    private MailCommands() {}

    static UserDirectory require(UserDirectory directory) {
        if (directory == null) {
            throw new IllegalStateException("No user directory service is running "
                    + "(is bundle org.mailroom.auth.password active and etc/org.mailroom.auth.password.cfg present?)");
        }
        return directory;
    }

    static String userAdd(UserDirectory directory, String user, String password, Prompter prompter) throws IOException {
        UserDirectory d = require(directory);
        if (d.exists(user)) {
            throw new IllegalArgumentException("User " + user + " already exists");
        }
        d.add(user, password != null ? password : promptNewPassword(prompter));
        return "User " + user + " added";
    }

    static String userPasswd(UserDirectory directory, String user, String password, Prompter prompter)
            throws IOException {
        UserDirectory d = require(directory);
        if (!d.exists(user)) {
            throw new IllegalArgumentException("Unknown user: " + user);
        }
        d.setPassword(user, password != null ? password : promptNewPassword(prompter));
        return "Password of " + user + " changed";
    }

    static String userRemove(UserDirectory directory, String user) throws IOException {
        if (!require(directory).remove(user)) {
            throw new IllegalArgumentException("Unknown user: " + user);
        }
        return "User " + user + " removed";
    }

    static String userList(UserDirectory directory) {
        List<String> users = require(directory).users();
        if (users.isEmpty()) {
            return "No users";
        }
        return String.join(System.lineSeparator(), users);
    }

    static String mailboxInfo(MailStore store, UserDirectory directory, String user) throws StoreException {
        if (directory != null && !directory.exists(user)) {
            throw new IllegalArgumentException("Unknown user: " + user);
        }
        if (store == null) {
            throw new IllegalStateException(
                    "No mail store is available (is bundle org.mailroom.store.maildir active?)");
        }
        List<MessageInfo> messages = store.list(user);
        long octets = 0;
        for (MessageInfo m : messages) {
            octets += m.size();
        }
        return user + ": " + messages.size() + (messages.size() == 1 ? " message, " : " messages, ") + octets
                + " octets";
    }

    static Spool require(Spool spool) {
        if (spool == null) {
            throw new IllegalStateException("No spool service is running "
                    + "(is bundle org.mailroom.spool active and etc/org.mailroom.spool.cfg present?)");
        }
        return spool;
    }

    /** One line per queued message, oldest first, then their number. */
    static String queueList(Spool spool) throws SpoolException {
        List<QueuedMessage> messages = require(spool).list();
        if (messages.isEmpty()) {
            return "Queue is empty";
        }
        StringBuilder out = new StringBuilder();
        for (QueuedMessage m : messages) {
            out.append(m.id())
                    .append("  ")
                    .append(time(m.received()))
                    .append("  ")
                    .append(size(m.size()))
                    .append("  from ")
                    .append(sender(m.sender()))
                    .append("  to ");
            for (int i = 0; i < m.recipients().size(); i++) {
                out.append(i == 0 ? "" : "; ").append(recipient(m.recipients().get(i)));
            }
            out.append(System.lineSeparator());
        }
        return out.append(count(messages.size(), "message")).toString();
    }

    /**
     * The envelope and recipient states of one message, then its header section (up to the
     * blank line) or, with {@code full}, the whole message, line by line with control
     * characters escaped (the content is the sender's: it must not drive the terminal).
     */
    static void queueShow(Spool spool, String id, boolean full, Appendable out) throws SpoolException, IOException {
        Spool s = require(spool);
        QueuedMessage m = s.find(id);
        if (m == null) {
            throw unknownMessage(id);
        }
        String nl = System.lineSeparator();
        out.append("Message:  ").append(m.id()).append(nl);
        out.append("Received: ").append(time(m.received())).append(nl);
        out.append("Size:     ").append(size(m.size())).append(nl);
        out.append("Sender:   ").append(sender(m.sender())).append(nl);
        for (RecipientStatus r : m.recipients()) {
            out.append("To:       ").append(recipient(r)).append(nl);
        }
        out.append(nl);
        InputStream content;
        try {
            content = s.open(id);
        } catch (SpoolException e) {
            if (s.find(id) == null) {
                throw new IllegalArgumentException(
                        "Message " + printable(id, false) + " left the queue meanwhile (delivered or deleted)");
            }
            throw e;
        }
        printMessage(content, full, out);
    }

    /**
     * A message's header section (up to the blank line) or, with {@code full}, the whole message,
     * line by line with control characters escaped (the content is the sender's: it must not drive
     * the terminal).
     */
    private static void printMessage(InputStream content, boolean full, Appendable out) throws IOException {
        String nl = System.lineSeparator();
        try (InputStream in = new BufferedInputStream(content, 64 * 1024)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); ; b = in.read()) {
                if (b < 0 || b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    if (b < 0 && bytes.length == 0) {
                        break;
                    }
                    if (length == 0 && !full) {
                        break;
                    }
                    out.append(printable(new String(bytes, 0, length, StandardCharsets.UTF_8), true))
                            .append(nl);
                    if (b < 0) {
                        break;
                    }
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        }
    }

    static Quarantine require(Quarantine quarantine) {
        if (quarantine == null) {
            throw new IllegalStateException("The quarantine is not available (feature mailroom-quarantine-core)");
        }
        return quarantine;
    }

    /** One line per held message, oldest first, then their number. */
    static String quarantineList(Quarantine quarantine) throws IOException {
        List<HeldMessage> held = require(quarantine).list();
        if (held.isEmpty()) {
            return "Quarantine is empty";
        }
        StringBuilder out = new StringBuilder();
        for (HeldMessage m : held) {
            out.append(m.id())
                    .append("  ")
                    .append(time(m.held()))
                    .append("  ")
                    .append(size(m.size()))
                    .append("  from ")
                    .append(sender(m.sender()))
                    .append("  to ")
                    .append(printable(m.recipient(), false))
                    .append("  by ")
                    .append(printable(m.filter(), false))
                    .append(": ")
                    .append(printable(m.reason(), false))
                    .append(System.lineSeparator());
        }
        return out.append(count(held.size(), "message")).toString();
    }

    /** The envelope and verdict of one held message, then its headers (with {@code full}: all of it). */
    static void quarantineShow(Quarantine quarantine, String id, boolean full, Appendable out) throws IOException {
        Quarantine q = require(quarantine);
        HeldMessage m = q.find(id);
        if (m == null) {
            throw unknownHeld(id);
        }
        String nl = System.lineSeparator();
        out.append("Message:  ").append(m.id()).append(nl);
        out.append("Held:     ").append(time(m.held())).append(nl);
        out.append("Size:     ").append(size(m.size())).append(nl);
        out.append("Sender:   ").append(sender(m.sender())).append(nl);
        out.append("To:       ")
                .append(printable(m.recipient(), false))
                .append(" (user ")
                .append(printable(m.user(), false))
                .append(')')
                .append(nl);
        out.append("Filter:   ").append(printable(m.filter(), false)).append(nl);
        out.append("Reason:   ").append(printable(m.reason(), false)).append(nl);
        out.append(nl);
        printMessage(q.open(id), full, out);
    }

    /** Delivers a held message into its mailbox as it is. */
    static String quarantineRelease(Quarantine quarantine, String id) throws IOException {
        Quarantine q = require(quarantine);
        HeldMessage m = q.find(id);
        if (m == null || !q.release(id)) {
            throw unknownHeld(id);
        }
        return "Released " + m.id() + " into the mailbox of " + printable(m.user(), false);
    }

    /** Removes a held message without delivering it. */
    static String quarantineDelete(Quarantine quarantine, String id) throws IOException {
        Quarantine q = require(quarantine);
        HeldMessage m = q.find(id);
        if (m == null || !q.delete(id)) {
            throw unknownHeld(id);
        }
        return "Deleted " + m.id() + ": " + size(m.size()) + " from " + sender(m.sender()) + " to "
                + printable(m.recipient(), false);
    }

    private static IllegalArgumentException unknownHeld(String id) {
        return new IllegalArgumentException("Unknown message: " + printable(id, false)
                + " (not in the quarantine: released, deleted or never there)");
    }

    /** Makes the waiting and failed recipients of one message (null: of all) due now. */
    static String queueRetry(Spool spool, String id) throws SpoolException {
        Spool s = require(spool);
        if (id == null) {
            int made = s.retry(null);
            return count(made, "recipient") + " made due now";
        }
        if (s.find(id) == null) {
            throw unknownMessage(id);
        }
        int made;
        try {
            made = s.retry(id);
        } catch (SpoolException e) {
            if (s.find(id) == null) {
                throw unknownMessage(id);
            }
            throw e;
        }
        return count(made, "recipient") + " of " + id + " made due now";
    }

    /** Removes a message from the queue without delivering it any further. */
    static String queueDelete(Spool spool, String id) throws SpoolException {
        Spool s = require(spool);
        QueuedMessage m = s.find(id);
        if (m == null || !s.delete(id)) {
            throw unknownMessage(id);
        }
        StringBuilder out = new StringBuilder("Deleted ")
                .append(m.id())
                .append(": ")
                .append(size(m.size()))
                .append(" from ")
                .append(sender(m.sender()))
                .append(" to ");
        for (int i = 0; i < m.recipients().size(); i++) {
            RecipientStatus r = m.recipients().get(i);
            out.append(i == 0 ? "" : ", ")
                    .append(printable(r.address(), false))
                    .append(" (")
                    .append(state(r))
                    .append(')');
        }
        return out.toString();
    }

    private static IllegalArgumentException unknownMessage(String id) {
        return new IllegalArgumentException(
                "Unknown message: " + printable(id, false) + " (not in the queue: delivered, deleted or never there)");
    }

    private static String recipient(RecipientStatus r) {
        StringBuilder out = new StringBuilder(printable(r.address(), false));
        int at = r.address().lastIndexOf('@');
        String local = at < 0 ? r.address() : r.address().substring(0, at);
        if (!local.equals(r.user())) {
            out.append(" (user ").append(printable(r.user(), false)).append(')');
        }
        out.append(": ").append(state(r)).append(", ").append(count(r.attempts(), "attempt"));
        if (r.nextAttempt() != null) {
            out.append(", next ").append(time(r.nextAttempt()));
        }
        if (!r.lastError().isEmpty()) {
            out.append(", last error: ").append(printable(r.lastError(), false));
        }
        return out.toString();
    }

    private static String state(RecipientStatus r) {
        return r.state().name().toLowerCase(Locale.ROOT);
    }

    private static String sender(String sender) {
        return sender == null || sender.isEmpty() ? "<>" : "<" + printable(sender, false) + ">";
    }

    private static String time(Instant instant) {
        return instant == null ? "?" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String size(long octets) {
        return octets < 0 ? "size unknown" : count(octets, "octet");
    }

    private static String count(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /**
     * Text from a client (addresses, errors quoting it, message lines) with control characters
     * escaped (as {@code \xNN}, C1 controls and line separators as a backslash, u and four hex
     * digits), so that it cannot send escape sequences to the operator's terminal; tabs are kept
     * in message lines (folded headers).
     */
    static String printable(String text, boolean keepTabs) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && !(keepTabs && c == '\t'))
                    || c == 0x7f
                    || (c >= 0x80 && c < 0xa0)
                    || c == '\u2028'
                    || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (control) {
                out.append(c < 0x80 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    static String promptNewPassword(Prompter prompter) throws IOException {
        String first = prompter.readLine("New password: ", '*');
        if (first == null || first.isEmpty()) {
            throw new IllegalArgumentException("Empty password; nothing changed");
        }
        String second = prompter.readLine("Retype new password: ", '*');
        if (!first.equals(second)) {
            throw new IllegalArgumentException("Passwords do not match; nothing changed");
        }
        return first;
    }
}
