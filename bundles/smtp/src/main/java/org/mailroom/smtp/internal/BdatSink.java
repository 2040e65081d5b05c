package org.mailroom.smtp.internal;

import java.io.IOException;
import java.io.OutputStream;
import org.mailroom.smtp.internal.DataReader.BareLineEnds;

/**
 * Where the octets of BDAT chunks (RFC 3030) go on their way to the spool: counted against the
 * size limit (past it nothing more is written), and checked for bare CR and LF as DATA is (RFC
 * 5321 section 2.3.8): refused under {@link BareLineEnds#REJECT}, written as CRLF under
 * {@link BareLineEnds#NORMALISE}. A CR at the end of one chunk and an LF at the start of the
 * next are a CRLF.
 */
final class BdatSink extends OutputStream {

    private final OutputStream target;
    private final long max;
    private final BareLineEnds bareLineEnds;
    private long size;
    private boolean pendingCr;
    private boolean bareLineEnd;

    BdatSink(OutputStream target, long max, BareLineEnds bareLineEnds) {
        this.target = target;
        this.max = max;
        this.bareLineEnds = bareLineEnds;
    }

    /** The reply refusing the message so far (at the last chunk: including a final bare CR), or null. */
    String refusal(boolean last) {
        if (last && pendingCr) {
            pendingCr = false;
            try {
                bareLineEnd();
            } catch (IOException e) {
                return DataReader.WRITE_FAILED;
            }
        }
        if (size > max) {
            return DataReader.TOO_BIG;
        }
        if (bareLineEnd && bareLineEnds == BareLineEnds.REJECT) {
            return DataReader.BARE_LINE_END;
        }
        return null;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        byte[] out = new byte[len * 2 + 2];
        int n = 0;
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (pendingCr) {
                pendingCr = false;
                if (c == '\n') {
                    out[n++] = '\r';
                    out[n++] = '\n';
                    continue;
                }
                n = bare(out, n);
            }
            if (c == '\r') {
                pendingCr = true;
            } else if (c == '\n') {
                n = bare(out, n);
            } else {
                out[n++] = c;
            }
        }
        emit(out, n);
    }

    /** A bare CR or LF: noted, and written as CRLF (what is written is discarded under REJECT). */
    private int bare(byte[] out, int n) {
        bareLineEnd = true;
        out[n++] = '\r';
        out[n++] = '\n';
        return n;
    }

    private void bareLineEnd() throws IOException {
        bareLineEnd = true;
        emit(new byte[] {'\r', '\n'}, 2);
    }

    private void emit(byte[] out, int n) throws IOException {
        size += n;
        if (size <= max && !(bareLineEnd && bareLineEnds == BareLineEnds.REJECT)) {
            target.write(out, 0, n);
        }
    }
}
