package org.mailroom.pop3.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * A message in wire form (CRLF line ends) as a POP3 multi-line response body: lines starting
 * with '.' are dot-stuffed, a missing final line end is added, and the terminating ".CRLF"
 * follows. For TOP, the header, the blank line and the first {@code bodyLines} lines of the body.
 * Streams: it holds one buffer, never the message.
 */
final class Pop3ContentStream extends InputStream {

    private static final int BUFFER = 16 * 1024;
    private static final byte[] END = {'.', '\r', '\n'};
    private static final byte[] END_AFTER_PARTIAL_LINE = {'\r', '\n', '.', '\r', '\n'};

    private final InputStream source;
    private final long bodyLimit;
    private final byte[] in = new byte[BUFFER];
    private final byte[] out = new byte[BUFFER * 2 + END_AFTER_PARTIAL_LINE.length];
    private int outPos;
    private int outLen;
    private long column;
    private byte previous;
    private boolean inBody;
    private long bodyLinesLeft;
    private boolean sourceDone;
    private boolean finished;

    /** @param bodyLines body lines to send (TOP), or -1 for the whole message (RETR) */
    Pop3ContentStream(InputStream source, long bodyLines) {
        this.source = source;
        this.bodyLimit = bodyLines;
        this.bodyLinesLeft = bodyLines;
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
        while (outPos == outLen) {
            if (finished) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, outLen - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    private void fill() throws IOException {
        outPos = 0;
        outLen = 0;
        if (!sourceDone) {
            int n = source.read(in, 0, in.length);
            if (n < 0) {
                sourceDone = true;
            } else {
                transform(n);
                return;
            }
        }
        byte[] end = column == 0 ? END : END_AFTER_PARTIAL_LINE;
        System.arraycopy(end, 0, out, 0, end.length);
        outLen = end.length;
        finished = true;
    }

    /** Copies {@code in[0..n)} to {@code out} a line (or the rest of one) at a time, stuffing dots. */
    private void transform(int n) {
        int i = 0;
        while (i < n) {
            if (column == 0) {
                if (inBody && bodyLimit >= 0 && bodyLinesLeft-- <= 0) {
                    sourceDone = true;
                    return;
                }
                if (in[i] == '.') {
                    out[outLen++] = '.';
                }
            }
            int lf = i;
            while (lf < n && in[lf] != '\n') {
                lf++;
            }
            if (lf == n) {
                System.arraycopy(in, i, out, outLen, n - i);
                outLen += n - i;
                column += n - i;
                previous = in[n - 1];
                return;
            }
            long length = column + (lf - i);
            byte beforeLf = lf > i ? in[lf - 1] : previous;
            System.arraycopy(in, i, out, outLen, lf + 1 - i);
            outLen += lf + 1 - i;
            if (!inBody && (length == 0 || length == 1 && beforeLf == '\r')) {
                inBody = true;
            }
            column = 0;
            previous = '\n';
            i = lf + 1;
        }
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
