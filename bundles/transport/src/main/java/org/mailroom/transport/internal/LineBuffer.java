package org.mailroom.transport.internal;

import java.util.Arrays;

/**
 * Collects input bytes and cuts them into lines: at CRLF or a bare LF, or, in CRLF-only mode, at
 * CRLF alone (a bare CR or LF then stays in the line). A line longer than the limit is reported
 * once and its remaining bytes are dropped up to the next line end. Raw octets can be taken off
 * the front instead (BDAT chunks).
 */
final class LineBuffer {

    /** What {@link #next} found. */
    enum Kind {
        LINE,
        TOO_LONG,
        NONE
    }

    private byte[] data = new byte[0];
    private int length;
    private boolean discarding;
    private byte[] line;

    void append(byte[] bytes) {
        if (length + bytes.length > data.length) {
            data = Arrays.copyOf(
                    data, Math.max(length + bytes.length, Math.min(data.length * 2, length + bytes.length + 4096)));
        }
        System.arraycopy(bytes, 0, data, length, bytes.length);
        length += bytes.length;
    }

    int buffered() {
        return length;
    }

    void clear() {
        length = 0;
        discarding = false;
        data = new byte[0];
    }

    /** Finds the next complete line; afterwards {@link #line()} holds it when LINE is returned. */
    Kind next(int maxLineLength, boolean crlfOnly) {
        while (true) {
            int lf = crlfOnly ? indexOfCrlf() : indexOfLf();
            if (discarding) {
                if (lf < 0) {
                    dropAllButATrailingCr(crlfOnly);
                    return Kind.NONE;
                }
                consume(lf + 1);
                discarding = false;
                continue;
            }
            if (lf < 0) {
                if (length > maxLineLength + 1) {
                    dropAllButATrailingCr(crlfOnly);
                    discarding = true;
                    return Kind.TOO_LONG;
                }
                return Kind.NONE;
            }
            int end = lf > 0 && data[lf - 1] == '\r' ? lf - 1 : lf;
            if (end > maxLineLength) {
                consume(lf + 1);
                return Kind.TOO_LONG;
            }
            line = Arrays.copyOf(data, end);
            consume(lf + 1);
            return Kind.LINE;
        }
    }

    byte[] line() {
        return line;
    }

    /** Removes and returns up to {@code max} octets from the front, as they came. */
    byte[] take(long max) {
        int n = (int) Math.min(max, length);
        byte[] taken = Arrays.copyOf(data, n);
        consume(n);
        return taken;
    }

    /** Drops the buffered bytes, but a final CR that may begin a CRLF split across reads. */
    private void dropAllButATrailingCr(boolean crlfOnly) {
        if (crlfOnly && length > 0 && data[length - 1] == '\r') {
            data[0] = '\r';
            length = 1;
        } else {
            length = 0;
        }
    }

    /** The index of the LF of the first CRLF. */
    private int indexOfCrlf() {
        for (int i = 1; i < length; i++) {
            if (data[i] == '\n' && data[i - 1] == '\r') {
                return i;
            }
        }
        return -1;
    }

    private int indexOfLf() {
        for (int i = 0; i < length; i++) {
            if (data[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void consume(int n) {
        System.arraycopy(data, n, data, 0, length - n);
        length -= n;
        if (length == 0 && data.length > 4096) {
            data = new byte[0];
        }
    }
}
