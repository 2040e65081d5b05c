package org.mailroom.api.keys;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A data key wrapped under a key-encryption key: the key's id and the provider's octets, which
 * carry whatever the provider needs (nonce, tag) besides the id.
 */
public final class WrappedKey {

    /** Longest key id, in UTF-8 octets, so that a file format can give it a fixed-size length field. */
    public static final int MAX_ID_OCTETS = 255;
    /** Most wrapped octets, for the same reason. */
    public static final int MAX_WRAPPED_OCTETS = 4096;

    private final String keyId;
    private final byte[] wrapped;

    /** @throws IllegalArgumentException if the id is empty or too long, or the octets empty or too many */
    public WrappedKey(String keyId, byte[] wrapped) {
        int idLength = keyId == null ? 0 : keyId.getBytes(StandardCharsets.UTF_8).length;
        if (idLength == 0 || idLength > MAX_ID_OCTETS) {
            throw new IllegalArgumentException("key id must be 1 to " + MAX_ID_OCTETS + " octets: " + keyId);
        }
        if (wrapped == null || wrapped.length == 0 || wrapped.length > MAX_WRAPPED_OCTETS) {
            throw new IllegalArgumentException("wrapped key must be 1 to " + MAX_WRAPPED_OCTETS + " octets");
        }
        this.keyId = keyId;
        this.wrapped = wrapped.clone();
    }

    public String keyId() {
        return keyId;
    }

    /** A copy of the wrapped octets. */
    public byte[] wrapped() {
        return wrapped.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WrappedKey w && keyId.equals(w.keyId) && Arrays.equals(wrapped, w.wrapped);
    }

    @Override
    public int hashCode() {
        return 31 * keyId.hashCode() + Arrays.hashCode(wrapped);
    }

    @Override
    public String toString() {
        return "WrappedKey[" + keyId + ", " + wrapped.length + " octets]";
    }
}
