package org.mailroom.store.crypt.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.mailroom.api.keys.WrappedKey;
import org.mailroom.api.store.MessageCipher;

/**
 * The envelope file format, version 1. A header, then the message in segments of
 * {@link #SEGMENT_OCTETS} plaintext octets (the last one shorter or empty), each sealed with GCM
 * on its own, so that a message streams in both directions and each segment is authenticated
 * before its octets are handed out.
 *
 * <pre>
 * fixed header (21 octets, the associated data of every segment):
 *   magic (8) 0x89 'M' 'R' 'E' 'N' 'V' CR LF
 *   version (1) = 1
 *   algorithm (1): 1 SM4-GCM, 2 AES-256-GCM
 *   segment size (4, big-endian) = 65536
 *   nonce prefix (7, random per message)
 * key block (rewritten by a re-wrap, not covered by the segments' tags; the provider's wrapping
 * authenticates it):
 *   key id length (1), key id (UTF-8)
 *   wrapped key length (2, big-endian), wrapped data key
 * segments: GCM ciphertext and 16-octet tag; nonce = prefix (7) | segment number (4) | last (1)
 * </pre>
 *
 * The "last" octet of the nonce makes a file cut at a segment boundary fail authentication, and
 * the segment number one with its segments reordered.
 */
final class Envelope {

    static final int VERSION = 1;
    static final int SEGMENT_OCTETS = 64 * 1024;
    static final int TAG_OCTETS = 16;
    static final int PREFIX_OCTETS = 7;
    static final int FIXED_HEADER_OCTETS = MessageCipher.MAGIC_LENGTH + 1 + 1 + 4 + PREFIX_OCTETS;

    private static final byte[] MAGIC = {(byte) 0x89, 'M', 'R', 'E', 'N', 'V', '\r', '\n'};
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A parsed header: the fixed part as read (the segments' associated data) and the key block. */
    record Header(byte[] fixed, DataAlgorithm algorithm, int segmentOctets, WrappedKey key) {

        byte[] prefix() {
            return Arrays.copyOfRange(fixed, FIXED_HEADER_OCTETS - PREFIX_OCTETS, FIXED_HEADER_OCTETS);
        }

        void write(OutputStream out) throws IOException {
            out.write(fixed);
            writeKeyBlock(out, key);
        }
    }

    /** The format is broken: not an envelope, an unknown version or algorithm, a cut header. */
    static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    private Envelope() {}

    static Header newHeader(DataAlgorithm algorithm, WrappedKey key) {
        byte[] fixed = new byte[FIXED_HEADER_OCTETS];
        System.arraycopy(MAGIC, 0, fixed, 0, MAGIC.length);
        fixed[8] = VERSION;
        fixed[9] = (byte) algorithm.code;
        fixed[10] = (byte) (SEGMENT_OCTETS >>> 24);
        fixed[11] = (byte) (SEGMENT_OCTETS >>> 16);
        fixed[12] = (byte) (SEGMENT_OCTETS >>> 8);
        fixed[13] = (byte) SEGMENT_OCTETS;
        byte[] prefix = new byte[PREFIX_OCTETS];
        RANDOM.nextBytes(prefix);
        System.arraycopy(prefix, 0, fixed, FIXED_HEADER_OCTETS - PREFIX_OCTETS, PREFIX_OCTETS);
        return new Header(fixed, algorithm, SEGMENT_OCTETS, key);
    }

    static Header readHeader(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] fixed = new byte[FIXED_HEADER_OCTETS];
        try {
            data.readFully(fixed);
            if (!MessageCipher.isEnvelope(fixed, fixed.length)) {
                throw new FormatException("not an envelope (no magic)");
            }
            if (fixed[8] != VERSION) {
                throw new FormatException("envelope version " + (fixed[8] & 0xff) + " is not known");
            }
            DataAlgorithm algorithm = DataAlgorithm.byCode(fixed[9] & 0xff);
            if (algorithm == null) {
                throw new FormatException("envelope algorithm " + (fixed[9] & 0xff) + " is not known");
            }
            int segment = ((fixed[10] & 0xff) << 24)
                    | ((fixed[11] & 0xff) << 16)
                    | ((fixed[12] & 0xff) << 8)
                    | (fixed[13] & 0xff);
            if (segment < 1 || segment > 16 * 1024 * 1024) {
                throw new FormatException("envelope segment size " + segment + " is out of range");
            }
            int idLength = data.readUnsignedByte();
            byte[] id = new byte[idLength];
            data.readFully(id);
            int wrappedLength = data.readUnsignedShort();
            byte[] wrapped = new byte[wrappedLength];
            data.readFully(wrapped);
            WrappedKey key;
            try {
                key = new WrappedKey(new String(id, StandardCharsets.UTF_8), wrapped);
            } catch (IllegalArgumentException e) {
                throw new FormatException("envelope key block: " + e.getMessage());
            }
            return new Header(fixed, algorithm, segment, key);
        } catch (EOFException e) {
            throw new FormatException("envelope header is cut short");
        }
    }

    static void writeKeyBlock(OutputStream out, WrappedKey key) throws IOException {
        byte[] id = key.keyId().getBytes(StandardCharsets.UTF_8);
        byte[] wrapped = key.wrapped();
        out.write(id.length);
        out.write(id);
        out.write(wrapped.length >>> 8);
        out.write(wrapped.length);
        out.write(wrapped);
    }

    /** Seals or opens the segments of one message. */
    static final class Segments {
        private final GCMModeCipher gcm;
        private final KeyParameter key;
        private final byte[] fixed;
        private final byte[] nonce = new byte[12];

        Segments(Header header, byte[] dataKey) {
            this.gcm = header.algorithm().newGcm();
            this.key = new KeyParameter(dataKey);
            this.fixed = header.fixed();
            System.arraycopy(header.prefix(), 0, nonce, 0, PREFIX_OCTETS);
        }

        private void init(boolean encrypt, long number, boolean last) {
            if (number > 0xffffffffL) {
                throw new IllegalStateException("message too large for one envelope");
            }
            nonce[7] = (byte) (number >>> 24);
            nonce[8] = (byte) (number >>> 16);
            nonce[9] = (byte) (number >>> 8);
            nonce[10] = (byte) number;
            nonce[11] = (byte) (last ? 1 : 0);
            gcm.init(encrypt, new AEADParameters(key, TAG_OCTETS * 8, nonce.clone(), fixed));
        }

        /** @return the octets written to {@code out} (length + tag) */
        int seal(long number, boolean last, byte[] plain, int length, byte[] out) {
            init(true, number, last);
            int n = gcm.processBytes(plain, 0, length, out, 0);
            try {
                return n + gcm.doFinal(out, n);
            } catch (InvalidCipherTextException e) {
                throw new IllegalStateException("GCM encryption cannot fail", e);
            }
        }

        /**
         * @return the plaintext octets written to {@code out}
         * @throws InvalidCipherTextException if the segment fails authentication
         */
        int open(long number, boolean last, byte[] sealed, int length, byte[] out) throws InvalidCipherTextException {
            init(false, number, last);
            int n = gcm.processBytes(sealed, 0, length, out, 0);
            return n + gcm.doFinal(out, n);
        }
    }
}
