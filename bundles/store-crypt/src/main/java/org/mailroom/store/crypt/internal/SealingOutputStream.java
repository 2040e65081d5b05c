package org.mailroom.store.crypt.internal;

import java.io.IOException;
import java.io.OutputStream;

/** Encrypts what is written into envelope segments; {@link #close()} seals the last one. */
final class SealingOutputStream extends OutputStream {

    private final OutputStream file;
    private final Envelope.Segments segments;
    private final byte[] plain;
    private final byte[] sealed;
    private int buffered;
    private long number;
    private boolean closed;

    SealingOutputStream(OutputStream file, Envelope.Header header, byte[] dataKey) throws IOException {
        this.file = file;
        this.segments = new Envelope.Segments(header, dataKey);
        this.plain = new byte[header.segmentOctets()];
        this.sealed = new byte[header.segmentOctets() + Envelope.TAG_OCTETS];
        header.write(file);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("envelope already closed");
        }
        while (len > 0) {
            if (buffered == plain.length) {
                // A full segment is sealed as "not last" only once more octets follow it.
                emit(false);
            }
            int n = Math.min(len, plain.length - buffered);
            System.arraycopy(b, off, plain, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
    }

    private void emit(boolean last) throws IOException {
        int n = segments.seal(number++, last, plain, buffered, sealed);
        file.write(sealed, 0, n);
        buffered = 0;
    }

    @Override
    public void flush() throws IOException {
        file.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            emit(true);
        } finally {
            file.close();
        }
    }
}
