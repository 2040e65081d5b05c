package org.mailroom.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Test;
import org.mailroom.api.auth.UserDirectory;
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
