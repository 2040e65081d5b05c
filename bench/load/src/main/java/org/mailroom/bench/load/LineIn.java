package org.mailroom.bench.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteOrder;
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

    /** The socket the watchdog closes when a read waits too long; null: the socket has SO_TIMEOUT. */
    private final Socket watched;

    private volatile long readingSince;
    private volatile boolean timedOut;

    LineIn(InputStream in, int bufferSize) {
        this(in, bufferSize, null);
    }

    LineIn(InputStream in, int bufferSize, Socket watched) {
        this.in = in;
        this.buf = new byte[bufferSize];
        this.watched = watched;
    }

    /** Called by the watchdog: closes the socket if the read in progress started before now - limit. */
    void abortIfWaitingLongerThan(long now, long limitNanos) {
        long since = readingSince;
        if (since != 0 && now - since > limitNanos) {
            timedOut = true;
            Net.closeQuietly(watched);
        }
    }

    private void fill() throws IOException {
        int n;
        if (watched == null) {
            n = in.read(buf, 0, buf.length);
        } else {
            readingSince = System.nanoTime();
            Watchdog.reading(this);
            try {
                n = in.read(buf, 0, buf.length);
            } catch (IOException e) {
                if (timedOut) {
                    throw new SocketTimeoutException("no data from the server for " + Net.TIMEOUT_MS / 1000 + " s");
                }
                throw e;
            } finally {
                Watchdog.done(this);
                readingSince = 0;
            }
        }
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
     * Runs of lines that need no unstuffing go to the CRC in one call; line ends are found eight
     * octets at a time.
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
                        // a run of octets up to an LF followed by "." (or the end of the buffer)
                        int run = i;
                        int j = i;
                        while (true) {
                            int lf = indexOfLf(b, j, end);
                            if (lf < 0) {
                                j = end;
                                break;
                            }
                            j = lf + 1;
                            if (j == end || b[j] == '.') {
                                state = LINE_START;
                                break;
                            }
                        }
                        crc.update(b, run, j - run);
                        octets += j - run;
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** The index of the first LF in b[from, to), or -1; eight octets per step (a zero-byte test). */
    static int indexOfLf(byte[] b, int from, int to) {
        int i = from;
        while (i + 8 <= to) {
            long x = (long) LONGS.get(b, i) ^ LFS;
            long t = (x - ONES) & ~x & HIGHS;
            if (t != 0) {
                // the lowest flagged byte is exact (false flags only appear above a true zero byte)
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
            i += 8;
        }
        while (i < to) {
            if (b[i] == '\n') {
                return i;
            }
            i++;
        }
        return -1;
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
