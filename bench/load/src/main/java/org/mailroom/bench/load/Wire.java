package org.mailroom.bench.load;

import java.util.zip.CRC32;

/** The wire form of a Maildir message (every LF as CRLF) and SMTP/POP3 dot-stuffing. */
final class Wire {
    private Wire() {}

    /** Octets of the wire form: each LF counts as CRLF. */
    static long wireSize(byte[] lf, int off, int len) {
        long n = len;
        for (int i = off; i < off + len; i++) {
            if (lf[i] == '\n') {
                n++;
            }
        }
        return n;
    }

    static long wireSize(byte[] lf) {
        return wireSize(lf, 0, lf.length);
    }

    /** CRC-32 of the wire form, computed line by line without building it. */
    static long wireCrc(byte[] lf, int off, int len) {
        CRC32 crc = new CRC32();
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (lf[i] == '\n') {
                crc.update(lf, start, i - start);
                crc.update('\r');
                crc.update('\n');
                start = i + 1;
            }
        }
        crc.update(lf, start, end - start);
        return crc.getValue();
    }

    static long wireCrc(byte[] lf) {
        return wireCrc(lf, 0, lf.length);
    }

    /**
     * The DATA / RETR form of a message: LF as CRLF, a "." added before every line that starts
     * with ".", a final CRLF if the message lacks one, then the terminating ".CRLF".
     */
    static byte[] stuffed(byte[] lf) {
        int extra = 5;
        boolean lineStart = true;
        for (byte b : lf) {
            if (lineStart && b == '.') {
                extra++;
            }
            if (b == '\n') {
                extra++;
            }
            lineStart = b == '\n';
        }
        byte[] out = new byte[lf.length + extra];
        int o = 0;
        lineStart = true;
        for (int i = 0; i < lf.length; i++) {
            byte b = lf[i];
            if (lineStart && b == '.') {
                out[o++] = '.';
            }
            if (b == '\n') {
                out[o++] = '\r';
            }
            out[o++] = b;
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out[o++] = '\r';
            out[o++] = '\n';
        }
        out[o++] = '.';
        out[o++] = '\r';
        out[o++] = '\n';
        return o == out.length ? out : java.util.Arrays.copyOf(out, o);
    }

    /** The inverse of {@link #stuffed}: the wire-form message (CRLF kept) before the terminator. */
    static byte[] unstuffed(byte[] wire) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(wire.length);
        int i = 0;
        while (i < wire.length) {
            int lf = i;
            while (lf < wire.length && wire[lf] != '\n') {
                lf++;
            }
            int lineEnd = Math.min(lf + 1, wire.length);
            int len = lineEnd - i;
            if (len == 3 && wire[i] == '.' && wire[i + 1] == '\r' && wire[i + 2] == '\n') {
                return out.toByteArray();
            }
            int from = wire[i] == '.' ? i + 1 : i;
            out.write(wire, from, lineEnd - from);
            i = lineEnd;
        }
        throw new IllegalArgumentException("no terminating .CRLF");
    }

    /** The Maildir form of what a server stored: every CRLF as LF. */
    static byte[] toLf(byte[] b) {
        int n = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\r' && i + 1 < b.length && b[i + 1] == '\n') {
                n++;
            }
        }
        if (n == 0) {
            return b;
        }
        byte[] out = new byte[b.length - n];
        int o = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\r' && i + 1 < b.length && b[i + 1] == '\n') {
                continue;
            }
            out[o++] = b[i];
        }
        return out;
    }

    static boolean endsWith(byte[] whole, byte[] tail) {
        if (tail.length > whole.length) {
            return false;
        }
        return java.util.Arrays.equals(whole, whole.length - tail.length, whole.length, tail, 0, tail.length);
    }
}
