package org.mailroom.smtp.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The message of a DATA command, from the lines the transport delivers in CRLF-only mode
 * ({@code Connection.setCrlfOnly(true)}: only CRLF ends a line, so a line may hold a bare CR or
 * LF but never CRLF) to the message octets written to a sink, as it goes: nothing is held in
 * memory but the line at hand. Give it a buffered sink; it writes each line and its CRLF apart.
 *
 * <ul>
 *   <li>A line that is exactly "." ends the data (RFC 5321 section 4.1.1.4), and nothing else:
 *       not ".\n", ".\r" or a "\n.\n" inside a line, so that no bare line end can end the data
 *       early and make the rest a second message (SMTP smuggling).
 *   <li>A line that starts with "." and has more after it loses that "." (dot-unstuffing,
 *       section 4.5.2).
 *   <li>Each line is written with CRLF after it.
 *   <li>A bare CR or LF in a line (section 2.3.8) is handled as {@link BareLineEnds} says.
 *   <li>Past {@code maxSize} octets of message nothing more is written; reading goes on to the
 *       final ".", so that the session stays in step, and {@link #refusal()} says why. The same
 *       for any other refusal: a bare CR or LF under REJECT, a line the transport found too long,
 *       a failed write.
 * </ul>
 *
 * <p>{@link #line} and {@link #onLineTooLong} never throw for a bad message or a failing sink:
 * after the final "." the session sends {@link #refusal()} if it is not null, or delivers.
 */
final class DataReader {

    /** What a bare CR or LF in a line of message data does. */
    enum BareLineEnds {
        /**
         * Refuses the message with {@link #BARE_LINE_END} after the final "." (as Postfix's
         * {@code smtpd_forbid_bare_newline = reject} does for a bare LF).
         */
        REJECT,
        /**
         * Writes each bare LF and each bare CR as CRLF. A bare LF also starts a line as far as
         * dot-unstuffing goes, as Postfix's {@code normalize} takes it (the sender meant it as a
         * line end); a bare CR does not. Neither ever ends the data.
         */
        NORMALISE
    }

    static final String BARE_LINE_END = "550 5.6.0 Bare LF or CR in message data not allowed; see RFC 5321 2.3.8";
    static final String TOO_BIG = "552 5.3.4 Message size exceeds fixed limit";
    static final String LINE_TOO_LONG = "500 5.5.0 Line too long in message data; see RFC 5321 4.5.3.1.6";
    static final String WRITE_FAILED = "451 4.3.0 Error writing the message, try again later";

    private static final byte[] CRLF = {'\r', '\n'};

    private final OutputStream sink;
    private final long maxSize;
    private final BareLineEnds bareLineEnds;
    private long size;
    private boolean bareLineEnd;
    private boolean lineTooLong;
    private IOException writeFailure;
    private String refusal;
    private boolean ended;

    /**
     * @param sink where the message goes; not closed
     * @param maxSize the largest message accepted, in octets as written (CRLF line ends,
     *     unstuffed); {@code Long.MAX_VALUE} for no limit
     */
    DataReader(OutputStream sink, long maxSize, BareLineEnds bareLineEnds) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("maxSize " + maxSize);
        }
        this.sink = Objects.requireNonNull(sink, "sink");
        this.maxSize = maxSize;
        this.bareLineEnds = Objects.requireNonNull(bareLineEnds, "bareLineEnds");
    }

    /**
     * One line of data, without its CRLF. Returns true if it was the final ".": the data has
     * ended and no more lines may be given.
     */
    boolean line(byte[] line) {
        if (ended) {
            throw new IllegalStateException("the data has ended");
        }
        if (line.length == 1 && line[0] == '.') {
            ended = true;
            return true;
        }
        int start = stuffed(line, 0) ? 1 : 0;
        int bare = indexOfBare(line, start);
        if (bare < 0) {
            write(line, start, line.length - start);
        } else if (bareLineEnds == BareLineEnds.REJECT) {
            bareLineEnd = true;
            refuse(BARE_LINE_END);
            write(line, start, line.length - start);
        } else {
            int segment = start;
            for (int i = bare; i < line.length; i++) {
                byte c = line[i];
                if (c == '\r' || c == '\n') {
                    write(line, segment, i - segment);
                    write(CRLF, 0, 2);
                    segment = i + 1;
                    if (c == '\n' && stuffed(line, segment)) {
                        segment++;
                    }
                }
            }
            write(line, segment, line.length - segment);
        }
        write(CRLF, 0, 2);
        return false;
    }

    /**
     * The transport dropped a line longer than its limit (up to the CRLF that ends it): the
     * message is refused with {@link #LINE_TOO_LONG}; reading goes on.
     */
    void onLineTooLong() {
        if (ended) {
            throw new IllegalStateException("the data has ended");
        }
        lineTooLong = true;
        refuse(LINE_TOO_LONG);
    }

    /**
     * The reply refusing the message, for the first reason that arose (bare line end, too big,
     * line too long, write failure), or null if the message is good so far.
     */
    String refusal() {
        return refusal;
    }

    /** The size of the message in octets as written, counted on past a refusal (for logs). */
    long size() {
        return size;
    }

    /** True once the final "." was read. */
    boolean isEnded() {
        return ended;
    }

    /** True if the message is over the size limit. */
    boolean isTooBig() {
        return size > maxSize;
    }

    /** True if a bare CR or LF was seen under {@link BareLineEnds#REJECT}. */
    boolean hasBareLineEnd() {
        return bareLineEnd;
    }

    /** True if {@link #onLineTooLong} was called. */
    boolean isLineTooLong() {
        return lineTooLong;
    }

    /** The first error the sink threw, or null; after it nothing more was written. */
    IOException writeFailure() {
        return writeFailure;
    }

    /**
     * True if a "." at {@code i} starts a stuffed line: more follows it on the line, where a bare
     * LF after it (under NORMALISE a line end) means nothing does.
     */
    private static boolean stuffed(byte[] line, int i) {
        return i + 1 < line.length && line[i] == '.' && line[i + 1] != '\n';
    }

    private static int indexOfBare(byte[] line, int from) {
        for (int i = from; i < line.length; i++) {
            if (line[i] == '\r' || line[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void write(byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        size += len;
        if (refusal != null) {
            return;
        }
        if (size > maxSize) {
            refuse(TOO_BIG);
            return;
        }
        try {
            sink.write(b, off, len);
        } catch (IOException e) {
            writeFailure = e;
            refuse(WRITE_FAILED);
        }
    }

    private void refuse(String reply) {
        if (refusal == null) {
            refusal = reply;
        }
    }
}
