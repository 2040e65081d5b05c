package org.mailroom.delivery.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.util.MimeUtil;
import org.mailroom.api.filter.HeaderChange;

/**
 * Applies the filters' header changes as the message streams into the mailbox: the added fields
 * go on top (non-ASCII values as RFC 2047 words, folded), and every field of a removed name
 * (with its continuation lines) is left out of the message's header section. The body passes
 * through untouched.
 */
final class HeaderEditor extends FilterInputStream {

    private final Set<String> removed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private byte[] ready = new byte[0];
    private int readyAt;
    private boolean inHeader = true;
    private boolean skipping;

    /** The added fields, in wire form, to put before the message. */
    static byte[] addedFields(List<HeaderChange> changes) {
        StringBuilder out = new StringBuilder();
        for (HeaderChange c : changes) {
            if (c.add()) {
                String value = EncoderUtil.encodeIfNecessary(
                        c.value(), EncoderUtil.Usage.TEXT_TOKEN, c.name().length() + 2);
                out.append(MimeUtil.fold(c.name() + ": " + value, 0)).append("\r\n");
            }
        }
        return out.toString().getBytes(UTF_8);
    }

    HeaderEditor(InputStream message, List<HeaderChange> changes) {
        super(new BufferedInputStream(message, 8192));
        for (HeaderChange c : changes) {
            if (!c.add()) {
                removed.add(c.name());
            }
        }
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
        while (inHeader && readyAt == ready.length) {
            if (!nextHeaderLine()) {
                break;
            }
        }
        if (readyAt < ready.length) {
            int n = Math.min(len, ready.length - readyAt);
            System.arraycopy(ready, readyAt, b, off, n);
            readyAt += n;
            return n;
        }
        return in.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] discard = new byte[(int) Math.min(8192, Math.max(0, n))];
        long skipped = 0;
        int r;
        while (skipped < n && (r = read(discard, 0, (int) Math.min(discard.length, n - skipped))) > 0) {
            skipped += r;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return ready.length - readyAt;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads one line of the header section into ready (empty if it is left out); false at its end. */
    private boolean nextHeaderLine() throws IOException {
        line.reset();
        int c;
        while ((c = in.read()) >= 0) {
            line.write(c);
            if (c == '\n') {
                break;
            }
        }
        byte[] bytes = line.toByteArray();
        readyAt = 0;
        if (bytes.length == 0) {
            inHeader = false;
            ready = bytes;
            return false;
        }
        boolean blank = bytes[0] == '\r' || bytes[0] == '\n';
        boolean continuation = bytes[0] == ' ' || bytes[0] == '\t';
        if (blank) {
            inHeader = false;
            skipping = false;
        } else if (!continuation) {
            skipping = removed.contains(name(bytes));
        }
        ready = skipping && !blank ? new byte[0] : bytes;
        return true;
    }

    private static String name(byte[] fieldLine) {
        int colon = 0;
        while (colon < fieldLine.length && fieldLine[colon] != ':') {
            colon++;
        }
        return new String(fieldLine, 0, colon, US_ASCII).strip().toLowerCase(Locale.ROOT);
    }
}
