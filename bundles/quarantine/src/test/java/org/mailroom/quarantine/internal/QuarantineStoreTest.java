package org.mailroom.quarantine.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.filter.HeldMessage;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;

public class QuarantineStoreTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final Map<String, String> mailbox = new LinkedHashMap<>();
    private MailStore store = new MailStore() {
        @Override
        public boolean deliverOnce(String user, String key, InputStream message) throws StoreException {
            try {
                return mailbox.putIfAbsent(user + "/" + key, new String(message.readAllBytes(), UTF_8)) == null;
            } catch (IOException e) {
                throw new StoreException(e.toString(), true, e);
            }
        }

        @Override
        public List<MessageInfo> list(String user) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InputStream open(String user, String uid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int delete(String user, Collection<String> uids) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String deliver(String user, InputStream message) {
            throw new UnsupportedOperationException();
        }
    };

    @Test
    public void heldOncePerKeyListedShownReleasedIntoTheMailboxAndGone() throws Exception {
        QuarantineStore q = new QuarantineStore(folder.getRoot().toPath(), true, () -> store);
        assertEquals("k1-0", q.hold(held("k1-0"), message("first")));
        assertEquals("a retried delivery keeps the first copy", "k1-0", q.hold(held("k1-0"), message("second")));
        q.hold(held("k2-0"), message("other"));
        List<HeldMessage> list = q.list();
        assertEquals(List.of("k1-0", "k2-0"), list.stream().map(HeldMessage::id).toList());
        HeldMessage first = list.get(0);
        assertEquals("bob", first.user());
        assertEquals("sensitive-words", first.filter());
        assertEquals("rule at line 2 matched 3 time(s)", first.reason());
        assertEquals("first".length(), first.size());
        try (InputStream in = q.open("k1-0")) {
            assertEquals("first", new String(in.readAllBytes(), UTF_8));
        }

        assertTrue(q.release("k1-0"));
        assertEquals(Map.of("bob/k1-0", "first"), mailbox);
        assertNull(q.find("k1-0"));
        assertFalse("released once", q.release("k1-0"));
        assertTrue(q.delete("k2-0"));
        assertTrue(q.list().isEmpty());
        assertFalse(q.delete("../etc"));
    }

    @Test
    public void aReleaseWithoutAStoreKeepsTheMessageAndAHalfWrittenOneIsGoneAfterARestart() throws Exception {
        Path dir = folder.getRoot().toPath();
        QuarantineStore q = new QuarantineStore(dir, false, () -> null);
        q.hold(held("k3-0"), message("kept"));
        IOException e = assertThrows(IOException.class, () -> q.release("k3-0"));
        assertTrue(e.getMessage(), e.getMessage().contains("stays in the quarantine"));
        assertEquals(1, q.list().size());

        Path half = dir.resolve(".incoming").resolve("k4-0-1");
        Files.createDirectories(half);
        Files.writeString(half.resolve(QuarantineStore.MESSAGE), "half", UTF_8);
        QuarantineStore restarted = new QuarantineStore(dir, false, () -> store);
        assertFalse(Files.exists(half));
        assertEquals(
                List.of("k3-0"), restarted.list().stream().map(HeldMessage::id).toList());
        assertThrows(IllegalArgumentException.class, () -> restarted.hold(held("Bad/Key"), message("x")));
    }

    private static HeldMessage held(String key) {
        return new HeldMessage(
                key,
                "a@example.org",
                "bob@example.com",
                "bob",
                "sensitive-words",
                "rule at line 2 matched 3 time(s)",
                null,
                0);
    }

    private static InputStream message(String text) {
        return new ByteArrayInputStream(text.getBytes(UTF_8));
    }
}
