package org.mailroom.store.maildir.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wire sizes computed by scanning files, keyed by path, modification time and length; bounded LRU. */
final class WireSizeCache {

    private record Key(String path, long modifiedMillis, long length) {}

    private final Map<Key, Long> entries;

    WireSizeCache(int capacity) {
        this.entries = new LinkedHashMap<>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized long get(String path, long modifiedMillis, long length) {
        Long size = entries.get(new Key(path, modifiedMillis, length));
        return size == null ? -1 : size;
    }

    synchronized void put(String path, long modifiedMillis, long length, long wireSize) {
        entries.put(new Key(path, modifiedMillis, length), wireSize);
    }
}
