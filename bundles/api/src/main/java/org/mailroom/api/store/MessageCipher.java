package org.mailroom.api.store;

import java.io.InputStream;
import java.io.OutputStream;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Encryption at rest of stored messages, as an envelope: each message is encrypted under a data
 * key of its own, and the data key is wrapped by a {@link org.mailroom.api.keys.KeyProvider} key;
 * the envelope records the algorithm and the key id. A store that encrypts calls it for every
 * message it writes, and for every file that starts with the envelope's {@link #isEnvelope magic};
 * other files are plain messages, written before encryption was switched on. The store keeps the
 * plaintext sizes itself (in Maildir file names), so listing never decrypts.
 *
 * <p>Registered as an OSGi service; stores look it up for every message.
 *
 * @since 2.1
 */
@ConsumerType
public interface MessageCipher {

    /** How many octets {@link #isEnvelope} needs. */
    int MAGIC_LENGTH = 8;

    /**
     * Whether a file's first octets are an envelope: {@code 0x89 M R E N V 0x0D 0x0A}. No message
     * starts so (0x89 is no header-field character), so plain and encrypted files tell apart.
     */
    static boolean isEnvelope(byte[] head, int length) {
        byte[] magic = {(byte) 0x89, 'M', 'R', 'E', 'N', 'V', '\r', '\n'};
        if (length < MAGIC_LENGTH || head.length < MAGIC_LENGTH) {
            return false;
        }
        for (int i = 0; i < MAGIC_LENGTH; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** The algorithm of new envelopes, e.g. {@code SM4-GCM} or {@code AES-256-GCM}. */
    String algorithm();

    /**
     * Starts an envelope: what is written to the result is encrypted into {@code file}; its
     * {@code close()} completes the envelope and closes {@code file}. A stream not closed (a
     * failed delivery) leaves an incomplete envelope, which the store removes.
     *
     * @throws StoreException temporary if no key can be had now
     */
    OutputStream encrypt(OutputStream file) throws StoreException;

    /**
     * Reads a whole envelope and checks every part of it, without handing out plaintext.
     *
     * @param name the file, for messages
     * @throws DamagedMessageException if any part fails authentication, or the file is truncated
     * @throws StoreException temporary if the key cannot be had now
     */
    void verify(InputStream file, String name) throws StoreException;

    /**
     * The plaintext of an envelope; each part is authenticated before its octets are read, and
     * one that fails is an {@link java.io.IOException} naming {@code name}. Closing it closes
     * {@code file}.
     */
    InputStream decrypt(InputStream file, String name) throws StoreException;

    /**
     * Copies the envelope with its data key wrapped under the key provider's current key, the
     * encrypted body unchanged.
     *
     * @return false, with nothing written, if the data key already is under the current key
     */
    boolean rewrap(InputStream file, OutputStream out, String name) throws StoreException;
}
