package org.mailroom.pop3.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class Pop3ContentStreamTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    private static final String MESSAGE =
            "From: a@example.org\r\n" + "Subject: test\r\n" + "\r\n" + "line 1\r\n" + "line 2\r\n" + "line 3\r\n";

    /** Reads the whole stream with reads of at most {@code chunk} octets. */
    private static byte[] drain(InputStream in, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        int n;
        while ((n = in.read(buffer, 0, chunk)) >= 0) {
            assertTrue("read returned 0 for a non-empty buffer", n > 0);
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String wire(String message, long bodyLines) throws IOException {
        return new String(
                drain(new Pop3ContentStream(new ByteArrayInputStream(message.getBytes(ISO_8859_1)), bodyLines), 8192),
                ISO_8859_1);
    }

    /** A source that hands out at most {@code chunk} octets per read, to cross every buffer boundary. */
    private static InputStream trickle(byte[] data, int chunk) {
        return new InputStream() {
            private int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, chunk), data.length - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    @Test
    public void wholeMessageIsSentUnchangedAndTerminated() throws IOException {
        assertEquals(MESSAGE + ".\r\n", wire(MESSAGE, -1));
    }

    @Test
    public void linesStartingWithDotAreStuffed() throws IOException {
        String message = "Subject: dots\r\n\r\n.hidden\r\nmiddle . dot\r\n..two\r\n.\r\nend\r\n";
        assertEquals(
                "Subject: dots\r\n\r\n..hidden\r\nmiddle . dot\r\n...two\r\n..\r\nend\r\n.\r\n", wire(message, -1));
    }

    @Test
    public void dotOnFirstLineAndInHeaderIsStuffed() throws IOException {
        assertEquals("..x: y\r\n\r\n..\r\n.\r\n", wire(".x: y\r\n\r\n.\r\n", -1));
    }

    @Test
    public void messageWithoutFinalLineEndGetsOneBeforeTerminator() throws IOException {
        assertEquals("Subject: x\r\n\r\nno newline\r\n.\r\n", wire("Subject: x\r\n\r\nno newline", -1));
        assertEquals("Subject: x\r\n\r\n..\r\n.\r\n", wire("Subject: x\r\n\r\n.", -1));
    }

    @Test
    public void emptyMessageIsJustTheTerminator() throws IOException {
        assertEquals(".\r\n", wire("", -1));
        assertEquals(".\r\n", wire("", 0));
        assertEquals(".\r\n", wire("", 5));
    }

    @Test
    public void topZeroSendsHeaderAndBlankLineOnly() throws IOException {
        assertEquals("From: a@example.org\r\nSubject: test\r\n\r\n.\r\n", wire(MESSAGE, 0));
    }

    @Test
    public void topTwoSendsTwoBodyLines() throws IOException {
        assertEquals("From: a@example.org\r\nSubject: test\r\n\r\nline 1\r\nline 2\r\n.\r\n", wire(MESSAGE, 2));
    }

    @Test
    public void topCountsStuffedLinesOnce() throws IOException {
        assertEquals("S: x\r\n\r\n..a\r\n..\r\n.\r\n", wire("S: x\r\n\r\n.a\r\n.\r\n.b\r\n", 2));
    }

    @Test
    public void topLargerThanBodySendsWholeMessage() throws IOException {
        assertEquals(MESSAGE + ".\r\n", wire(MESSAGE, 3));
        assertEquals(MESSAGE + ".\r\n", wire(MESSAGE, 1000));
        assertEquals(MESSAGE + ".\r\n", wire(MESSAGE, Long.MAX_VALUE));
    }

    @Test
    public void topOfPartialLastLineIsTerminatedProperly() throws IOException {
        assertEquals("S: x\r\n\r\nonly\r\n.\r\n", wire("S: x\r\n\r\nonly", 5));
    }

    @Test
    public void topWithoutBlankSeparatorSendsAllHeaders() throws IOException {
        String headersOnly = "From: a@example.org\r\nSubject: no body\r\nX-Last: 1\r\n";
        assertEquals(headersOnly + ".\r\n", wire(headersOnly, 0));
        assertEquals(headersOnly + ".\r\n", wire(headersOnly, 2));
        assertEquals("From: a\r\nX: b\r\n.\r\n", wire("From: a\r\nX: b", 0));
    }

    @Test
    public void topRecognisesBareLfBlankLine() throws IOException {
        assertEquals("S: x\n\nb1\n.\r\n", wire("S: x\n\nb1\nb2\n", 1));
    }

    @Test
    public void messageStartingWithBlankLineHasEmptyHeader() throws IOException {
        assertEquals("\r\nbody 1\r\n.\r\n", wire("\r\nbody 1\r\nbody 2\r\n", 1));
        assertEquals("\r\n.\r\n", wire("\r\nbody 1\r\n", 0));
    }

    @Test
    public void eightBitUtf8PassesUnchanged() throws IOException {
        String message = "Subject: =?UTF-8?Q?x?=\r\n\r\nGrüße, 你好, 😀\r\n.ünicode\r\n";
        byte[] expected = ("Subject: =?UTF-8?Q?x?=\r\n\r\nGrüße, 你好, 😀\r\n..ünicode\r\n.\r\n").getBytes(UTF_8);
        byte[] actual = drain(new Pop3ContentStream(new ByteArrayInputStream(message.getBytes(UTF_8)), -1), 4096);
        assertArrayEquals(expected, actual);
        byte[] allBytes = new byte[256 * 2];
        for (int i = 0; i < 256; i++) {
            allBytes[2 * i] = 'x';
            allBytes[2 * i + 1] = (byte) i;
        }
        byte[] out = drain(new Pop3ContentStream(new ByteArrayInputStream(allBytes), -1), 4096);
        byte[] expectedAll = new byte[allBytes.length + 5];
        System.arraycopy(allBytes, 0, expectedAll, 0, allBytes.length);
        System.arraycopy("\r\n.\r\n".getBytes(ISO_8859_1), 0, expectedAll, allBytes.length, 5);
        assertArrayEquals(expectedAll, out);
    }

    @Test
    public void tinyAndLargeReadsGiveIdenticalOutput() throws IOException {
        byte[] message = sampleMessage(200_000);
        for (long lines : new long[] {-1, 0, 7, 1500}) {
            byte[] large = drain(new Pop3ContentStream(new ByteArrayInputStream(message), lines), 1 << 20);
            byte[] tiny = drain(new Pop3ContentStream(new ByteArrayInputStream(message), lines), 1);
            byte[] odd = drain(new Pop3ContentStream(new ByteArrayInputStream(message), lines), 16_381);
            ByteArrayOutputStream single = new ByteArrayOutputStream();
            try (InputStream in = new Pop3ContentStream(new ByteArrayInputStream(message), lines)) {
                int c;
                while ((c = in.read()) >= 0) {
                    single.write(c);
                }
            }
            assertArrayEquals("tiny reads, TOP " + lines, large, tiny);
            assertArrayEquals("odd reads, TOP " + lines, large, odd);
            assertArrayEquals("read(), TOP " + lines, large, single.toByteArray());
        }
        assertArrayEquals(
                expectedRetr(message), drain(new Pop3ContentStream(new ByteArrayInputStream(message), -1), 1));
    }

    @Test
    public void sourceDeliveringSmallChunksGivesSameOutput() throws IOException {
        byte[] message = sampleMessage(50_000);
        byte[] expected = drain(new Pop3ContentStream(new ByteArrayInputStream(message), -1), 8192);
        for (int chunk : new int[] {1, 2, 3, 16_383, 16_384, 16_385}) {
            assertArrayEquals(
                    "source chunk " + chunk, expected, drain(new Pop3ContentStream(trickle(message, chunk), -1), 8192));
            assertArrayEquals(
                    "source chunk " + chunk + " TOP 10",
                    drain(new Pop3ContentStream(new ByteArrayInputStream(message), 10), 8192),
                    drain(new Pop3ContentStream(trickle(message, chunk), 10), 8192));
        }
        assertArrayEquals(expectedRetr(message), expected);
    }

    @Test
    public void bufferFullOfDotLinesDoesNotOverflow() throws IOException {
        byte[] dots = new byte[3 * 16 * 1024];
        for (int i = 0; i < dots.length; i += 3) {
            dots[i] = '.';
            dots[i + 1] = '\r';
            dots[i + 2] = '\n';
        }
        byte[] bare = new byte[2 * 16 * 1024];
        for (int i = 0; i < bare.length; i += 2) {
            bare[i] = '.';
            bare[i + 1] = '\n';
        }
        assertArrayEquals(expectedRetr(dots), drain(new Pop3ContentStream(new ByteArrayInputStream(dots), -1), 100));
        assertArrayEquals(expectedRetr(bare), drain(new Pop3ContentStream(new ByteArrayInputStream(bare), -1), 100));
    }

    @Test
    public void multiMegabyteMessageStreams() throws IOException {
        byte[] line =
                "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n".getBytes(ISO_8859_1);
        byte[] dotLine = ".starts with a dot\r\n".getBytes(ISO_8859_1);
        long repetitions = 100_000;
        long sourceLength = (line.length + dotLine.length) * repetitions;
        InputStream huge = new InputStream() {
            private long pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= sourceLength) {
                    return -1;
                }
                int n = 0;
                while (n < len && pos < sourceLength) {
                    long inPair = pos % (line.length + dotLine.length);
                    b[off + n++] = inPair < line.length ? line[(int) inPair] : dotLine[(int) (inPair - line.length)];
                    pos++;
                }
                return n;
            }
        };
        AtomicBoolean closed = new AtomicBoolean();
        InputStream source = new java.io.FilterInputStream(huge) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        long total = 0;
        byte[] tail = new byte[5];
        try (Pop3ContentStream content = new Pop3ContentStream(source, -1)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = content.read(buffer, 0, buffer.length)) >= 0) {
                total += n;
                for (int i = 0; i < n; i++) {
                    System.arraycopy(tail, 1, tail, 0, 4);
                    tail[4] = buffer[i];
                }
            }
        }
        assertTrue(sourceLength > 9_000_000);
        assertEquals(sourceLength + repetitions + 3, total);
        assertEquals("\r\n.\r\n", new String(tail, ISO_8859_1));
        assertTrue("source closed", closed.get());
    }

    @Test
    public void closeClosesSource() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream source = new ByteArrayInputStream(MESSAGE.getBytes(ISO_8859_1)) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        new Pop3ContentStream(source, 0).close();
        assertTrue(closed.get());
    }

    @Test
    public void zeroLengthReadReturnsZero() throws IOException {
        try (InputStream in = new Pop3ContentStream(new ByteArrayInputStream(MESSAGE.getBytes(ISO_8859_1)), -1)) {
            assertEquals(0, in.read(new byte[4], 0, 0));
            assertEquals('F', in.read());
        }
    }

    /** Lines of varied length, some starting with '.', a header and a blank line; ends without CRLF. */
    private static byte[] sampleMessage(int approximateSize) {
        StringBuilder sb = new StringBuilder("From: a@example.org\r\nSubject: sample\r\n\r\n");
        int i = 0;
        while (sb.length() < approximateSize) {
            if (i % 5 == 0) {
                sb.append('.');
            }
            if (i % 11 == 0) {
                sb.append(".\r\n");
            }
            sb.append("line ").append(i).append(" ").append("x".repeat(i % 97)).append("\r\n");
            i++;
        }
        sb.append(".tail without line end");
        return sb.toString().getBytes(ISO_8859_1);
    }

    /** An independent, all-in-memory model of RETR output. */
    private static byte[] expectedRetr(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }
}
