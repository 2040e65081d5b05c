package org.mailroom.store.crypt.internal;

import java.io.IOException;
import java.io.InputStream;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * The plaintext of an envelope's segments. A segment is read whole and authenticated before any
 * of its octets are returned; the last one is the one the file ends after, so a file cut at a
 * segment boundary fails as well as one cut inside a segment.
 */
final class OpeningInputStream extends InputStream {

    /** A segment failed authentication or the file ended inside one. */
    static final class DamagedException extends IOException {
        private static final long serialVersionUID = 1L;

        DamagedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final InputStream file;
    private final String name;
    private final Envelope.Segments segments;
    private final byte[] sealed;
    private final byte[] plain;
    private int sealedLength;
    private int position;
    private int available;
    private long number;
    private boolean last;

    OpeningInputStream(InputStream file, String name, Envelope.Header header, byte[] dataKey) throws IOException {
        this.file = file;
        this.name = name;
        this.segments = new Envelope.Segments(header, dataKey);
        this.sealed = new byte[header.segmentOctets() + Envelope.TAG_OCTETS + 1];
        this.plain = new byte[header.segmentOctets()];
        // Read ahead one octet beyond a full segment: whether one follows tells the last segment.
        sealedLength = readUpTo(sealed, 0, sealed.length);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position == available) {
            if (last) {
                return -1;
            }
            nextSegment();
        }
        int n = Math.min(len, available - position);
        System.arraycopy(plain, position, b, off, n);
        position += n;
        return n;
    }

    private void nextSegment() throws IOException {
        int segmentLength = sealed.length - 1;
        boolean isLast = sealedLength <= segmentLength;
        int length = isLast ? sealedLength : segmentLength;
        if (length < Envelope.TAG_OCTETS) {
            throw new DamagedException(name + ": cut short in segment " + number, null);
        }
        try {
            available = segments.open(number, isLast, sealed, length, plain);
        } catch (InvalidCipherTextException e) {
            throw new DamagedException(
                    name + ": segment " + number + " fails authentication (tampered with, or cut short)", e);
        }
        position = 0;
        number++;
        last = isLast;
        if (!isLast) {
            sealed[0] = sealed[segmentLength];
            sealedLength = 1 + readUpTo(sealed, 1, sealed.length - 1);
        }
    }

    private int readUpTo(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int r = file.read(b, off + total, len - total);
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
