package org.mailroom.pop3.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.MessageNotFoundException;
import org.mailroom.api.store.StoreException;

/** An in-memory {@link MailStore} that records deletions and can be told to fail. */
final class MemoryStore implements MailStore {

    private final Map<String, Map<String, byte[]>> boxes = new ConcurrentHashMap<>();
    final List<String> deleteCalls = new ArrayList<>();
    volatile StoreException failList;
    volatile StoreException failOpen;
    volatile StoreException failDelete;
    private int next = 1;

    String add(String user, String message) {
        String uid = "uid-" + next++;
        boxes.computeIfAbsent(user, u -> new LinkedHashMap<>()).put(uid, message.getBytes(StandardCharsets.UTF_8));
        return uid;
    }

    /** Removes a message behind the session's back, as another agent would. */
    void remove(String user, String uid) {
        boxes.get(user).remove(uid);
    }

    List<String> uids(String user) {
        return new ArrayList<>(boxes.getOrDefault(user, Map.of()).keySet());
    }

    @Override
    public synchronized List<MessageInfo> list(String user) throws StoreException {
        if (failList != null) {
            throw failList;
        }
        List<MessageInfo> result = new ArrayList<>();
        boxes.getOrDefault(user, Map.of())
                .forEach((uid, data) -> result.add(new MessageInfo(uid, data.length, Instant.EPOCH)));
        return result;
    }

    @Override
    public synchronized InputStream open(String user, String uid) throws StoreException {
        if (failOpen != null) {
            throw failOpen;
        }
        byte[] data = boxes.getOrDefault(user, Map.of()).get(uid);
        if (data == null) {
            throw new MessageNotFoundException(uid);
        }
        return new ByteArrayInputStream(data);
    }

    @Override
    public synchronized int delete(String user, Collection<String> uids) throws StoreException {
        if (failDelete != null) {
            throw failDelete;
        }
        deleteCalls.add(user + ":" + String.join(",", uids));
        int removed = 0;
        Map<String, byte[]> box = boxes.getOrDefault(user, Map.of());
        for (String uid : uids) {
            removed += box.remove(uid) != null ? 1 : 0;
        }
        return removed;
    }

    @Override
    public String deliver(String user, InputStream message) throws StoreException {
        try {
            return add(user, new String(message.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean deliverOnce(String user, String key, InputStream message) {
        throw new UnsupportedOperationException("POP3 never delivers");
    }
}
