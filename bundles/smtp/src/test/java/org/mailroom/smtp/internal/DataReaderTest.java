package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.mailroom.smtp.internal.DataReader.BareLineEnds;

public class DataReaderTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    private static final BareLineEnds REJECT = BareLineEnds.REJECT;
    private static final BareLineEnds NORMALISE = BareLineEnds.NORMALISE;

    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();

    private static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private String written() {
        return sink.toString(ISO_8859_1);
    }

    /** Feeds lines; all but the last must not end the data, the last must. */
    private static void feed(DataReader reader, String... lines) {
        for (int i = 0; i < lines.length; i++) {
            boolean end = reader.line(bytes(lines[i]));
            assertEquals("line " + i + " " + lines[i], i == lines.length - 1, end);
        }
    }

    /**
     * The lines of a byte stream as the transport delivers them in CRLF-only mode: cut at CRLF
     * alone, a bare CR or LF kept in the line; a rest without CRLF is left out.
     */
    static List<byte[]> crlfLines(byte[] stream) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < stream.length; i++) {
            if (stream[i] == '\n' && stream[i - 1] == '\r') {
                lines.add(Arrays.copyOfRange(stream, start, i - 1));
                start = i + 1;
            }
        }
        return lines;
    }

    /** Feeds the lines of {@code stream} until the data ends; returns the lines after the end. */
    private static List<String> feedUntilEnd(DataReader reader, byte[] stream) {
        List<byte[]> lines = crlfLines(stream);
        for (int i = 0; i < lines.size(); i++) {
            if (reader.line(lines.get(i))) {
                List<String> rest = new ArrayList<>();
                for (byte[] line : lines.subList(i + 1, lines.size())) {
                    rest.add(new String(line, ISO_8859_1));
                }
                return rest;
            }
        }
        throw new AssertionError("the data did not end");
    }

    @Test
    public void linesAreWrittenWithCrlfUntilTheFinalDot() {
        DataReader reader = new DataReader(sink, Long.MAX_VALUE, REJECT);
        feed(reader, "From: a@example.org", "Subject: test", "", "Hello", "", ".");
        assertEquals("From: a@example.org\r\nSubject: test\r\n\r\nHello\r\n\r\n", written());
        assertTrue(reader.isEnded());
        assertNull(reader.refusal());
        assertEquals(sink.size(), reader.size());
    }

    @Test
    public void anEmptyMessage() {
        DataReader reader = new DataReader(sink, 0, REJECT);
        assertTrue(reader.line(bytes(".")));
        assertEquals("", written());
        assertEquals(0, reader.size());
        assertNull(reader.refusal());
    }

    @Test
    public void noLineAfterTheEnd() {
        DataReader reader = new DataReader(sink, Long.MAX_VALUE, REJECT);
        feed(reader, ".");
        assertThrows(IllegalStateException.class, () -> reader.line(bytes("x")));
        assertThrows(IllegalStateException.class, reader::onLineTooLong);
    }

    @Test
    public void dotStuffedLinesLoseTheirFirstDot() {
        DataReader reader = new DataReader(sink, Long.MAX_VALUE, REJECT);
        feed(reader, "..", ".x", "...", "..x", ". ", "x.", "a . b", ".");
        assertEquals(".\r\nx\r\n..\r\n.x\r\n \r\nx.\r\na . b\r\n", written());
        assertNull(reader.refusal());
    }

    @Test
    public void onlyADotAloneEndsTheData() {
        DataReader reader = new DataReader(sink, Long.MAX_VALUE, NORMALISE);
        for (String line : new String[] {". ", " .", ".\t", "..", ".\u0000", "x."}) {
            assertFalse(line, reader.line(bytes(line)));
        }
        assertTrue(reader.line(bytes(".")));
        assertEquals(" \r\n .\r\n\t\r\n.\r\n\u0000\r\nx.\r\n", written());
    }

    @Test
    public void bareLfAndCrAreRefusedUnderRejectButReadingGoesOn() {
        for (String bad : new String[] {"a\nb", "a\rb", "\n", "\r", "a\r", "\nb", ".\n", ".\r", "..\n"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DataReader reader = new DataReader(out, Long.MAX_VALUE, REJECT);
            assertFalse(reader.line(bytes("Subject: before")));
            assertFalse(reader.line(bytes(bad)));
            assertFalse(reader.line(bytes("after")));
            assertTrue(reader.line(bytes(".")));
            assertEquals(bad, DataReader.BARE_LINE_END, reader.refusal());
            assertEquals("550 5.6.0 Bare LF or CR in message data not allowed; see RFC 5321 2.3.8", reader.refusal());
            assertTrue(reader.hasBareLineEnd());
            assertEquals(
                    "nothing of the bad line or after it is written", "Subject: before\r\n", out.toString(ISO_8859_1));
        }
    }

    @Test
    public void normaliseWritesEachBareLfAndCrAsCrlf() {
        String[][] cases = {
            {"a\nb", "a\r\nb\r\n"},
            {"a\rb", "a\r\nb\r\n"},
            {"a\n\nb", "a\r\n\r\nb\r\n"},
            {"a\r\rb", "a\r\n\r\nb\r\n"},
            {"a\n\rb", "a\r\n\r\nb\r\n"},
            {"a\n", "a\r\n\r\n"},
            {"a\r", "a\r\n\r\n"},
            {"\n", "\r\n\r\n"},
            {"\r", "\r\n\r\n"},
            {"\nb", "\r\nb\r\n"},
        };
        for (String[] c : cases) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DataReader reader = new DataReader(out, Long.MAX_VALUE, NORMALISE);
            assertFalse(reader.line(bytes(c[0])));
            assertTrue(reader.line(bytes(".")));
            assertEquals(c[0], c[1], out.toString(ISO_8859_1));
            assertNull(reader.refusal());
            assertFalse(reader.hasBareLineEnd());
            assertEquals(out.size(), reader.size());
        }
    }

    @Test
    public void underNormaliseABareLfStartsALineForDotUnstuffingAndABareCrDoesNot() {
        String[][] cases = {
            {"a\n..b", "a\r\n.b\r\n"},
            {"a\n.b", "a\r\nb\r\n"},
            {"a\n.", "a\r\n.\r\n"},
            {"a\n.\nb", "a\r\n.\r\nb\r\n"},
            {"a\n.\rb", "a\r\n\r\nb\r\n"},
            {"a\r..b", "a\r\n..b\r\n"},
            {"a\r.", "a\r\n.\r\n"},
            {".\n", ".\r\n\r\n"},
            {"..\n", ".\r\n\r\n"},
            {".\r", "\r\n\r\n"},
        };
        for (String[] c : cases) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DataReader reader = new DataReader(out, Long.MAX_VALUE, NORMALISE);
            assertFalse(c[0], reader.line(bytes(c[0])));
            assertTrue(reader.line(bytes(".")));
            assertEquals(c[0], c[1], out.toString(ISO_8859_1));
        }
    }

    @Test
    public void aBareLineEndNeverEndsTheData() {
        // the SMTP smuggling end-of-data variants: <LF>.<LF>, <LF>.<CR><LF>, <CR>.<CR><LF>,
        // <CR><LF>.<LF>, <CR><LF>.<CR>, <CR>.<LF>, <LF>.<CR>, and NUL after the dot
        String smuggled = "MAIL FROM:<evil@example.net>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
                + "From: ceo@example.org\r\n\r\nsmuggled\r\n";
        for (String end : new String[] {
            "\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\n", "\r\n.\r", "\r.\n", "\n.\r", "\r\n.\u0000\r\n", "\r\n. \r\n"
        }) {
            String stream = "Subject: hello\r\n\r\nhello" + end + smuggled + ".\r\nQUIT\r\n";
            for (BareLineEnds policy : BareLineEnds.values()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                DataReader reader = new DataReader(out, Long.MAX_VALUE, policy);
                List<String> after = feedUntilEnd(reader, bytes(stream));
                String where = policy + " " + end.replace("\r", "<CR>").replace("\n", "<LF>");
                assertEquals(where, List.of("QUIT"), after);
                if (policy == REJECT && !end.contains("\u0000") && !end.contains(" ")) {
                    assertEquals(where, DataReader.BARE_LINE_END, reader.refusal());
                } else {
                    assertNull(where, reader.refusal());
                    assertTrue(where, out.toString(ISO_8859_1).contains("MAIL FROM:<evil@example.net>\r\n"));
                }
            }
        }
    }

    @Test
    public void theSizeLimitStopsWritingButNotReading() {
        DataReader reader = new DataReader(sink, 10, REJECT);
        assertFalse(reader.line(bytes("12345678")));
        assertNull("exactly at the limit", reader.refusal());
        assertFalse(reader.isTooBig());
        assertFalse(reader.line(bytes("x")));
        assertTrue(reader.isTooBig());
        assertEquals(DataReader.TOO_BIG, reader.refusal());
        assertEquals("552 5.3.4 Message size exceeds fixed limit", reader.refusal());
        assertFalse(reader.line(bytes("more")));
        assertFalse(reader.line(bytes("..")));
        assertTrue(reader.line(bytes(".")));
        assertEquals("12345678\r\n", written());
        assertEquals(10 + 1 + 2 + 4 + 2 + 1 + 2, reader.size());
    }

    @Test
    public void theLimitCountsUnstuffedOctetsWithCrlf() {
        DataReader reader = new DataReader(sink, 4, REJECT);
        feed(reader, "..x", ".");
        assertNull(reader.refusal());
        assertEquals(".x\r\n", written());
        DataReader over = new DataReader(new ByteArrayOutputStream(), 4, REJECT);
        feed(over, "..xy", ".");
        assertEquals(DataReader.TOO_BIG, over.refusal());
    }

    @Test
    public void aMegabyteStreamsThroughLineByLine() {
        Random random = new Random(42);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataReader reader = new DataReader(sink, Long.MAX_VALUE, REJECT);
        int lines = 0;
        while (expected.size() < 3 * 1024 * 1024) {
            byte[] line = randomLine(random, 1 + random.nextInt(998));
            int unstuffed = line.length > 1 && line[0] == '.' ? 1 : 0;
            expected.write(line, unstuffed, line.length - unstuffed);
            expected.write('\r');
            expected.write('\n');
            assertFalse(reader.line(line));
            lines++;
            assertEquals("written as it comes, nothing held back", expected.size(), sink.size());
        }
        assertTrue(reader.line(bytes(".")));
        assertNull(reader.refusal());
        assertArrayEquals(expected.toByteArray(), sink.toByteArray());
        assertEquals(expected.size(), reader.size());
        assertTrue(lines > 5000);
    }

    @Test
    public void aSizeLimitHitMidDataOfAMegabyteMessage() {
        Random random = new Random(7);
        long limit = 1024 * 1024;
        DataReader reader = new DataReader(sink, limit, NORMALISE);
        long offered = 0;
        long lines = 0;
        while (offered < 4 * limit) {
            byte[] line = randomLine(random, 1000);
            offered += line.length + 2 - (line[0] == '.' ? 1 : 0);
            assertFalse(reader.line(line));
            lines++;
            assertTrue(sink.size() <= limit);
        }
        assertTrue(reader.isTooBig());
        assertEquals(DataReader.TOO_BIG, reader.refusal());
        assertTrue("stopped at the line that crossed the limit", sink.size() > limit - 1002);
        assertTrue(reader.line(bytes(".")));
        assertEquals(offered, reader.size());
        assertTrue(lines > 4000);
    }

    @Test
    public void binaryOctetsArePreserved() {
        byte[] line = new byte[254];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (b != '\r' && b != '\n') {
                line[n++] = (byte) b;
            }
        }
        for (BareLineEnds policy : BareLineEnds.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DataReader reader = new DataReader(out, Long.MAX_VALUE, policy);
            assertFalse(reader.line(line));
            assertFalse(reader.line(new byte[] {(byte) 0xff, 0, (byte) 0x80}));
            assertTrue(reader.line(bytes(".")));
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(line);
            expected.writeBytes(new byte[] {'\r', '\n', (byte) 0xff, 0, (byte) 0x80, '\r', '\n'});
            assertArrayEquals(expected.toByteArray(), out.toByteArray());
            assertNull(reader.refusal());
        }
    }

    @Test
    public void aLineTooLongRefusesTheMessageAndReadingGoesOn() {
        DataReader reader = new DataReader(sink, Long.MAX_VALUE, NORMALISE);
        assertFalse(reader.line(bytes("before")));
        reader.onLineTooLong();
        assertTrue(reader.isLineTooLong());
        assertFalse(reader.line(bytes("after")));
        assertTrue(reader.line(bytes(".")));
        assertEquals(DataReader.LINE_TOO_LONG, reader.refusal());
        assertEquals("before\r\n", written());
    }

    @Test
    public void theFirstRefusalIsTheOneGiven() {
        DataReader reader = new DataReader(sink, 5, REJECT);
        feed(reader, "a\nb", "too long for the limit", ".");
        assertEquals(DataReader.BARE_LINE_END, reader.refusal());
        assertTrue(reader.isTooBig());
        assertTrue(reader.hasBareLineEnd());

        DataReader big = new DataReader(new ByteArrayOutputStream(), 5, REJECT);
        big.line(bytes("too long for the limit"));
        big.onLineTooLong();
        feed(big, "a\nb", ".");
        assertEquals(DataReader.TOO_BIG, big.refusal());
    }

    @Test
    public void aFailingSinkIsRecordedAndReadingGoesOn() {
        IOException full = new IOException("No space left on device");
        OutputStream failing = new OutputStream() {
            private int writes;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (++writes > 2) {
                    throw full;
                }
                sink.write(b, off, len);
            }
        };
        DataReader reader = new DataReader(failing, Long.MAX_VALUE, REJECT);
        feed(reader, "first", "second", "third", ".");
        assertSame(full, reader.writeFailure());
        assertEquals(DataReader.WRITE_FAILED, reader.refusal());
        assertEquals("first\r\n", written());
    }

    @Test
    public void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new DataReader(sink, -1, REJECT));
        assertThrows(NullPointerException.class, () -> new DataReader(null, 1, REJECT));
        assertThrows(NullPointerException.class, () -> new DataReader(sink, 1, null));
    }

    @Test
    public void theTransportSplitterOfTheseTestsCutsAtCrlfOnly() {
        List<byte[]> lines = crlfLines(bytes("a\nb\r\nc\rd\r\n\r\n\r\rx"));
        assertEquals(3, lines.size());
        assertEquals("a\nb", new String(lines.get(0), ISO_8859_1));
        assertEquals("c\rd", new String(lines.get(1), ISO_8859_1));
        assertEquals("", new String(lines.get(2), ISO_8859_1));
    }

    /** A line of random octets but CR and LF. */
    private static byte[] randomLine(Random random, int length) {
        byte[] line = new byte[length];
        for (int i = 0; i < length; i++) {
            byte b;
            do {
                b = (byte) random.nextInt(256);
            } while (b == '\r' || b == '\n');
            line[i] = b;
        }
        if (random.nextInt(20) == 0) {
            line[0] = '.';
        }
        if (length == 1 && line[0] == '.') {
            line[0] = 'x';
        }
        return line;
    }
}
