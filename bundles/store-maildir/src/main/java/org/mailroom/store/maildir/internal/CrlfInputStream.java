package org.mailroom.store.maildir.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Turns a Maildir file (LF line ends) into wire form: every LF not preceded by CR becomes CRLF;
 * nothing else changes and nothing is added at the end. Uses only JDK types besides itself, so a
 * stream handed out keeps working while the bundle that created it is updated.
 */
final class CrlfInputStream extends FilterInputStream {

    private final byte[] buffer = new byte[16 * 1024];
    private int pos;
    private int limit;
    private boolean previousCr;
    private boolean lfOwed;

    CrlfInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int n = 0;
        if (lfOwed) {
            b[off + n++] = '\n';
            lfOwed = false;
            previousCr = false;
        }
        while (n < len) {
            if (pos == limit) {
                if (n > 0) {
                    break;
                }
                int r = in.read(buffer, 0, buffer.length);
                if (r < 0) {
                    break;
                }
                pos = 0;
                limit = r;
                continue;
            }
            // Copies the run up to the next LF (or as much as fits) in one go.
            int end = Math.min(limit, pos + (len - n));
            int lf = pos;
            while (lf < end && buffer[lf] != '\n') {
                lf++;
            }
            int run = lf - pos;
            if (run > 0) {
                System.arraycopy(buffer, pos, b, off + n, run);
                n += run;
                previousCr = buffer[lf - 1] == '\r';
                pos = lf;
            }
            if (lf == end) {
                continue;
            }
            pos++;
            if (!previousCr) {
                b[off + n++] = '\r';
                if (n == len) {
                    lfOwed = true;
                    break;
                }
            }
            b[off + n++] = '\n';
            previousCr = false;
        }
        return n == 0 ? -1 : n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public int available() {
        return (limit - pos) + (lfOwed ? 1 : 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // mark is not supported
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }
}
