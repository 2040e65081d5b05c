package org.mailroom.delivery.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;

/** A store that keeps keyed messages in memory ("user/key" to content), once per key and user. */
class MemoryStore implements MailStore {
    final Map<String, String> messages = new LinkedHashMap<>();
    StoreException failure;

    @Override
    public boolean deliverOnce(String user, String key, InputStream message) throws StoreException {
        if (failure != null) {
            throw failure;
        }
        try {
            return messages.putIfAbsent(user + "/" + key, new String(message.readAllBytes(), UTF_8)) == null;
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
}
