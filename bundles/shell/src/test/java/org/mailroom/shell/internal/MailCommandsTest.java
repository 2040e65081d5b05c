package org.mailroom.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Test;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.spool.QueuedMessage;
import org.mailroom.api.spool.RecipientStatus;
import org.mailroom.api.spool.RecipientStatus.State;
import org.mailroom.api.spool.Spool;
import org.mailroom.api.spool.SpoolException;
import org.mailroom.api.spool.SpoolRecipient;
import org.mailroom.api.spool.SpoolWriter;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;

public class MailCommandsTest {

    /** An in-memory directory that records passwords in clear so the test can check them. */
    static final class MemoryDirectory implements UserDirectory {
        final Map<String, String> passwords = new TreeMap<>();

        public List<String> users() {
            return new ArrayList<>(passwords.keySet());
        }

        public boolean exists(String user) {
            return passwords.containsKey(user);
        }

        public void add(String user, String password) {
            if (passwords.putIfAbsent(user, password) != null) {
                throw new IllegalArgumentException("exists");
            }
        }

        public void setPassword(String user, String password) {
            passwords.put(user, password);
        }

        public boolean remove(String user) {
            return passwords.remove(user) != null;
        }
    }

    private final MemoryDirectory dir = new MemoryDirectory();
    private final List<String> prompts = new ArrayList<>();

    private MailCommands.Prompter answers(String... lines) {
        Deque<String> q = new ArrayDeque<>(List.of(lines));
        return (prompt, mask) -> {
            assertEquals(Character.valueOf('*'), mask);
            prompts.add(prompt);
            return q.poll();
        };
    }

    @Test
    public void addWithArgumentOrPrompt() throws Exception {
        assertEquals("User a added", MailCommands.userAdd(dir, "a", "pw", answers()));
        assertEquals("pw", dir.passwords.get("a"));
        assertTrue(prompts.isEmpty());
        MailCommands.userAdd(dir, "b", null, answers("secret", "secret"));
        assertEquals("secret", dir.passwords.get("b"));
        assertEquals(List.of("New password: ", "Retype new password: "), prompts);
        expect(
                IllegalArgumentException.class,
                "do not match",
                () -> MailCommands.userAdd(dir, "c", null, answers("x", "y")));
        expect(
                IllegalArgumentException.class,
                "Empty password",
                () -> MailCommands.userAdd(dir, "c", null, answers("")));
        expect(IllegalArgumentException.class, "already exists", () -> MailCommands.userAdd(dir, "a", "pw", answers()));
        assertEquals(List.of("a", "b"), dir.users());
    }

    @Test
    public void passwdRemoveAndList() throws Exception {
        dir.add("a", "old");
        assertEquals("Password of a changed", MailCommands.userPasswd(dir, "a", null, answers("n", "n")));
        assertEquals("n", dir.passwords.get("a"));
        expect(
                IllegalArgumentException.class,
                "Unknown user: zz",
                () -> MailCommands.userPasswd(dir, "zz", "x", answers()));
        assertEquals("a", MailCommands.userList(dir));
        expect(IllegalArgumentException.class, "Unknown user: zz", () -> MailCommands.userRemove(dir, "zz"));
        assertEquals("User a removed", MailCommands.userRemove(dir, "a"));
        assertEquals("No users", MailCommands.userList(dir));
    }

    @Test
    public void missingServicesGiveClearErrors() {
        expect(IllegalStateException.class, "No user directory service", () -> MailCommands.userList(null));
        expect(
                IllegalStateException.class,
                "No user directory service",
                () -> MailCommands.userAdd(null, "a", "b", answers()));
        expect(IllegalStateException.class, "No mail store", () -> MailCommands.mailboxInfo(null, null, "a"));
    }

    @Test
    public void mailboxInfoCountsMessagesAndOctets() throws Exception {
        MailStore store = new MailStore() {
            public List<MessageInfo> list(String user) throws StoreException {
                if (user.equals("broken")) {
                    throw new StoreException("disk gone", true);
                }
                return List.of(new MessageInfo("1", 120, Instant.EPOCH), new MessageInfo("2", 3000, Instant.EPOCH));
            }

            public InputStream open(String user, String uid) {
                throw new UnsupportedOperationException();
            }

            public int delete(String user, Collection<String> uids) {
                throw new UnsupportedOperationException();
            }

            public String deliver(String user, InputStream message) {
                throw new UnsupportedOperationException();
            }

            public boolean deliverOnce(String user, String key, InputStream message) {
                throw new UnsupportedOperationException();
            }
        };
        dir.add("a", "pw");
        assertEquals("a: 2 messages, 3120 octets", MailCommands.mailboxInfo(store, dir, "a"));
        expect(IllegalArgumentException.class, "Unknown user: b", () -> MailCommands.mailboxInfo(store, dir, "b"));
        assertEquals(
                "without a directory the store is asked anyway",
                "b: 2 messages, 3120 octets",
                MailCommands.mailboxInfo(store, null, "b"));
        expect(StoreException.class, "disk gone", () -> MailCommands.mailboxInfo(store, null, "broken"));
    }

    /** A spool in memory: messages with their content, retry as FileSpool does it. */
    static final class MemorySpool implements Spool {
        final Map<String, QueuedMessage> messages = new LinkedHashMap<>();
        final Map<String, byte[]> contents = new LinkedHashMap<>();
        Instant retriedAt;

        void add(QueuedMessage m, String content) {
            messages.put(m.id(), m);
            contents.put(m.id(), content.getBytes(StandardCharsets.UTF_8));
        }

        public SpoolWriter receive(String sender, List<SpoolRecipient> recipients) {
            throw new UnsupportedOperationException();
        }

        public List<QueuedMessage> list() {
            return List.copyOf(messages.values());
        }

        public QueuedMessage find(String id) {
            return messages.get(id);
        }

        public InputStream open(String id) throws SpoolException {
            byte[] content = contents.get(id);
            if (content == null) {
                throw new SpoolException("no message " + id + " in the spool", false);
            }
            return new ByteArrayInputStream(content);
        }

        public int retry(String id) throws SpoolException {
            if (id != null && !messages.containsKey(id)) {
                throw new SpoolException("no message " + id + " in the spool", false);
            }
            Instant now = Instant.parse("2026-12-02T12:00:00Z");
            int made = 0;
            for (QueuedMessage m : List.copyOf(messages.values())) {
                if (id != null && !id.equals(m.id())) {
                    continue;
                }
                List<RecipientStatus> states = new ArrayList<>();
                for (RecipientStatus r : m.recipients()) {
                    if (r.state() == State.DELIVERED) {
                        states.add(r);
                    } else {
                        states.add(new RecipientStatus(
                                r.address(), r.user(), State.WAITING, r.attempts(), now, r.lastError()));
                        made++;
                    }
                }
                messages.put(m.id(), new QueuedMessage(m.id(), m.sender(), m.received(), m.size(), states));
            }
            retriedAt = now;
            return made;
        }

        public boolean delete(String id) {
            contents.remove(id);
            return messages.remove(id) != null;
        }
    }

    private static final String NL = System.lineSeparator();
    private static final Instant RECEIVED = Instant.parse("2026-12-02T10:15:30.250Z");
    private static final Instant NEXT = Instant.parse("2026-12-02T10:20:30Z");
    private static final String CONTENT = "Received: from client.example\r\n\tby mailroom.test\r\n"
            + "Subject: hello \u001b[31mred\r\n\r\nThe body.\r\n\r\nSecond paragraph.\r\n";

    private final MemorySpool spool = new MemorySpool();

    private void queueTwo() {
        spool.add(
                new QueuedMessage(
                        "m1",
                        "someone@example.org",
                        RECEIVED,
                        CONTENT.length(),
                        List.of(
                                new RecipientStatus("demo@localhost", "demo", State.DELIVERED, 0, null, ""),
                                new RecipientStatus(
                                        "bob+tag@localhost", "bob", State.WAITING, 2, NEXT, "451 store away"))),
                CONTENT);
        spool.add(
                new QueuedMessage(
                        "m2",
                        "",
                        RECEIVED.plusSeconds(60),
                        1,
                        List.of(new RecipientStatus(
                                "carol@localhost", "carol", State.FAILED, 1, null, "quota \u0007exceeded"))),
                "x");
    }

    @Test
    public void queueListShowsEveryMessageAndRecipientOnOneLine() throws Exception {
        assertEquals("Queue is empty", MailCommands.queueList(spool));
        queueTwo();
        assertEquals(
                "m1  2026-12-02T10:15:30Z  " + CONTENT.length() + " octets  from <someone@example.org>  to "
                        + "demo@localhost: delivered, 0 attempts; "
                        + "bob+tag@localhost (user bob): waiting, 2 attempts, next 2026-12-02T10:20:30Z, "
                        + "last error: 451 store away" + NL
                        + "m2  2026-12-02T10:16:30Z  1 octet  from <>  to "
                        + "carol@localhost: failed, 1 attempt, last error: quota \\x07exceeded" + NL
                        + "2 messages",
                MailCommands.queueList(spool));
    }

    @Test
    public void queueShowGivesEnvelopeAndHeadersOrTheWholeMessage() throws Exception {
        queueTwo();
        StringBuilder out = new StringBuilder();
        MailCommands.queueShow(spool, "m1", false, out);
        String envelope = "Message:  m1" + NL
                + "Received: 2026-12-02T10:15:30Z" + NL
                + "Size:     " + CONTENT.length() + " octets" + NL
                + "Sender:   <someone@example.org>" + NL
                + "To:       demo@localhost: delivered, 0 attempts" + NL
                + "To:       bob+tag@localhost (user bob): waiting, 2 attempts, next 2026-12-02T10:20:30Z, "
                + "last error: 451 store away" + NL
                + NL;
        String headers =
                "Received: from client.example" + NL + "\tby mailroom.test" + NL + "Subject: hello \\x1b[31mred" + NL;
        assertEquals(envelope + headers, out.toString());

        out.setLength(0);
        MailCommands.queueShow(spool, "m1", true, out);
        assertEquals(envelope + headers + NL + "The body." + NL + NL + "Second paragraph." + NL, out.toString());

        out.setLength(0);
        MailCommands.queueShow(spool, "m2", true, out);
        assertTrue(out.toString(), out.toString().contains("Sender:   <>" + NL));
        assertTrue(
                "a last line without line end is shown: " + out, out.toString().endsWith(NL + NL + "x" + NL));

        expect(IllegalArgumentException.class, "Unknown message: nope", () -> show(spool, "nope", false));
        spool.contents.remove("m2");
        expect(SpoolException.class, "no message m2", () -> show(spool, "m2", false));
        spool.messages.remove("m2");
        expect(IllegalArgumentException.class, "Unknown message: m2", () -> show(spool, "m2", false));
    }

    @Test
    public void queueRetryMakesWaitingAndFailedRecipientsDue() throws Exception {
        queueTwo();
        assertEquals("1 recipient of m1 made due now", MailCommands.queueRetry(spool, "m1"));
        assertEquals(State.DELIVERED, spool.find("m1").recipients().get(0).state());
        assertEquals(spool.retriedAt, spool.find("m1").recipients().get(1).nextAttempt());
        assertEquals(State.FAILED, spool.find("m2").recipients().get(0).state());
        assertEquals("2 recipients made due now", MailCommands.queueRetry(spool, null));
        assertEquals(State.WAITING, spool.find("m2").recipients().get(0).state());
        expect(IllegalArgumentException.class, "Unknown message: zz", () -> MailCommands.queueRetry(spool, "zz"));
        spool.messages.clear();
        assertEquals("0 recipients made due now", MailCommands.queueRetry(spool, null));
    }

    @Test
    public void queueDeleteSaysWhatWasRemoved() throws Exception {
        queueTwo();
        assertEquals(
                "Deleted m1: " + CONTENT.length()
                        + " octets from <someone@example.org> to demo@localhost (delivered), bob+tag@localhost (waiting)",
                MailCommands.queueDelete(spool, "m1"));
        assertEquals(List.of("m2"), List.copyOf(spool.messages.keySet()));
        expect(IllegalArgumentException.class, "Unknown message: m1", () -> MailCommands.queueDelete(spool, "m1"));
        assertEquals("Deleted m2: 1 octet from <> to carol@localhost (failed)", MailCommands.queueDelete(spool, "m2"));
        assertEquals("Queue is empty", MailCommands.queueList(spool));
    }

    @Test
    public void queueCommandsWithoutSpoolSaySo() {
        String text = "No spool service is running";
        expect(IllegalStateException.class, text, () -> MailCommands.queueList(null));
        expect(IllegalStateException.class, text, () -> show(null, "m1", false));
        expect(IllegalStateException.class, text, () -> MailCommands.queueRetry(null, null));
        expect(IllegalStateException.class, text, () -> MailCommands.queueRetry(null, "m1"));
        expect(IllegalStateException.class, text, () -> MailCommands.queueDelete(null, "m1"));
    }

    @Test
    public void printableEscapesControlCharacters() {
        assertEquals("a\\x1b[2Jb\\x0d\\x0a", MailCommands.printable("a\u001b[2Jb\r\n", false));
        assertEquals("tab\\x09", MailCommands.printable("tab\t", false));
        assertEquals("tab\tkept", MailCommands.printable("tab\tkept", true));
        assertEquals("csi\\u009b Gr\u00fc\u00dfe", MailCommands.printable("csi\u009b Gr\u00fc\u00dfe", false));
        String plain = "plain";
        assertTrue("no copy of plain text", plain == MailCommands.printable(plain, false));
    }

    private static String show(Spool spool, String id, boolean full) throws Exception {
        StringBuilder out = new StringBuilder();
        MailCommands.queueShow(spool, id, full, out);
        return out.toString();
    }

    interface Call {
        Object run() throws Exception;
    }

    private static void expect(Class<? extends Exception> type, String text, Call call) {
        try {
            call.run();
            fail("expected " + type.getSimpleName());
        } catch (Exception e) {
            assertTrue(e.toString(), type.isInstance(e));
            assertTrue(e.getMessage(), e.getMessage().contains(text));
        }
    }
}
