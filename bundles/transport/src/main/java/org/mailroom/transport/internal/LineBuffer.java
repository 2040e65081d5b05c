package org.mailroom.transport.internal;

import java.util.Arrays;

/**
 * Collects input bytes and cuts them into lines (CRLF or bare LF). A line longer than the limit
 * is reported once and its remaining bytes are dropped up to the next line end.
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
    Kind next(int maxLineLength) {
        while (true) {
            int lf = indexOfLf();
            if (discarding) {
                if (lf < 0) {
                    length = 0;
                    return Kind.NONE;
                }
                consume(lf + 1);
                discarding = false;
                continue;
            }
            if (lf < 0) {
                if (length > maxLineLength + 1) {
                    length = 0;
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
