package org.mailroom.bench.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Buffered reading of a protocol stream (one buffer, 64 KB for the active scenarios): reply lines,
 * and dot-terminated multi-line bodies unstuffed and checksummed in place, without copying.
 */
final class LineIn {
    private static final int MAX_LINE = 1 << 20;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int lim;

    LineIn(InputStream in, int bufferSize) {
        this.in = in;
        this.buf = new byte[bufferSize];
    }

    private void fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
            throw new EOFException("connection closed by the server");
        }
        pos = 0;
        lim = n;
    }

    /** One line without its line end (CRLF or a bare LF), as ISO-8859-1. */
    String readLine() throws IOException {
        byte[] acc = null;
        int accLen = 0;
        while (true) {
            if (pos == lim) {
                fill();
            }
            int i = pos;
            while (i < lim && buf[i] != '\n') {
                i++;
            }
            if (i < lim) {
                String s;
                if (acc == null) {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    s = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                } else {
                    acc = append(acc, accLen, buf, pos, i - pos);
                    accLen += i - pos;
                    int end = accLen > 0 && acc[accLen - 1] == '\r' ? accLen - 1 : accLen;
                    s = new String(acc, 0, end, StandardCharsets.ISO_8859_1);
                }
                pos = i + 1;
                return s;
            }
            if (acc == null) {
                acc = new byte[Math.max(256, (lim - pos) * 2)];
            }
            acc = append(acc, accLen, buf, pos, lim - pos);
            accLen += lim - pos;
            pos = lim;
            if (accLen > MAX_LINE) {
                throw new IOException("reply line longer than " + MAX_LINE + " octets");
            }
        }
    }

    private static byte[] append(byte[] acc, int accLen, byte[] src, int off, int len) {
        if (accLen + len > acc.length) {
            acc = Arrays.copyOf(acc, Math.max(acc.length * 2, accLen + len));
        }
        System.arraycopy(src, off, acc, accLen, len);
        return acc;
    }

    private static final int LINE_START = 0;
    private static final int DOT = 1;
    private static final int DOT_CR = 2;
    private static final int IN_LINE = 3;

    /**
     * Reads a multi-line body up to and including the terminating ".CRLF", removes the stuffed
     * dots, feeds the remaining octets (CRLF line ends included) to crc, returns their count.
     */
    long readBody(CRC32 crc) throws IOException {
        long octets = 0;
        int state = LINE_START;
        while (true) {
            if (pos == lim) {
                fill();
            }
            int i = pos;
            final int end = lim;
            final byte[] b = buf;
            while (i < end) {
                switch (state) {
                    case IN_LINE: {
                        int j = i;
                        while (j < end && b[j] != '\n') {
                            j++;
                        }
                        if (j < end) {
                            j++;
                            state = LINE_START;
                        }
                        crc.update(b, i, j - i);
                        octets += j - i;
                        i = j;
                        break;
                    }
                    case LINE_START:
                        if (b[i] == '.') {
                            state = DOT;
                            i++;
                        } else {
                            state = IN_LINE;
                        }
                        break;
                    case DOT:
                        if (b[i] == '\r') {
                            state = DOT_CR;
                            i++;
                        } else {
                            state = IN_LINE; // the stuffed dot is dropped, the line goes on
                        }
                        break;
                    default: // DOT_CR
                        if (b[i] == '\n') {
                            pos = i + 1;
                            return octets;
                        }
                        crc.update('\r'); // ".\r" then not LF: a line that is a lone CR after unstuffing
                        octets++;
                        state = IN_LINE;
                        break;
                }
            }
            pos = end;
        }
    }

    /** Reads a dot-terminated body and returns it unstuffed as lines without line ends. */
    java.util.List<String> readLines() throws IOException {
        java.util.List<String> lines = new java.util.ArrayList<>();
        while (true) {
            String l = readLine();
            if (l.equals(".")) {
                return lines;
            }
            lines.add(l.startsWith(".") ? l.substring(1) : l);
        }
    }
}
