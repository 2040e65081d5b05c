package org.mailroom.store.maildir.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.StoreException;

/**
 * The {@link MessageCipher} the store encrypts with, as Declarative Services binds it, and the
 * envelopes already checked whole. A cipher that is away (its bundle being updated) is waited
 * for; an envelope is checked whole before it is first served, so that a damaged one is refused
 * before its first octet, and remembered by uid, length and modification time.
 */
final class Encryption {

    private static final int VERIFIED_ENTRIES = 10_000;

    private volatile MessageCipher cipher;
    private final Object changed = new Object();

    private record Stamp(String uid, long length, long modifiedMillis) {}

    private final Map<Stamp, Boolean> verified = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Stamp, Boolean> eldest) {
            return size() > VERIFIED_ENTRIES;
        }
    };

    void bind(MessageCipher c) {
        cipher = c;
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    void unbind(MessageCipher c) {
        if (cipher == c) {
            cipher = null;
        }
    }

    MessageCipher current() {
        return cipher;
    }

    /**
     * @throws StoreException temporary if no cipher is registered within {@code wait}
     */
    MessageCipher await(Duration wait, String why) throws StoreException {
        MessageCipher c = cipher;
        if (c != null) {
            return c;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (changed) {
            while ((c = cipher) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StoreException(
                            why + ": no message cipher is registered (is mailroom-store-crypt installed?)", true);
                }
                try {
                    changed.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException(why + ": interrupted waiting for the message cipher", true, e);
                }
            }
        }
        return c;
    }

    boolean isVerified(String uid, Path file) throws IOException {
        Stamp stamp = stamp(uid, file);
        synchronized (verified) {
            return verified.containsKey(stamp);
        }
    }

    void markVerified(String uid, Path file) throws IOException {
        Stamp stamp = stamp(uid, file);
        synchronized (verified) {
            verified.put(stamp, Boolean.TRUE);
        }
    }

    private static Stamp stamp(String uid, Path file) throws IOException {
        return new Stamp(
                uid,
                Files.size(file),
                Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis());
    }

    /** Whether the file starts with the envelope magic (a file shorter than it is a plain message). */
    static boolean isEnvelope(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] head = in.readNBytes(MessageCipher.MAGIC_LENGTH);
            return MessageCipher.isEnvelope(head, head.length);
        }
    }

    /** Whether the stream starts with the envelope magic; the stream must support mark/reset. */
    static boolean isEnvelope(BufferedInputStream in) throws IOException {
        in.mark(MessageCipher.MAGIC_LENGTH);
        byte[] head = in.readNBytes(MessageCipher.MAGIC_LENGTH);
        in.reset();
        return MessageCipher.isEnvelope(head, head.length);
    }
}
