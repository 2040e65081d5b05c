package org.mailroom.bench.load;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.Test;

public class WireTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    public void stuffing() {
        assertArrayEquals(b("a\r\n..b\r\n..\r\n\r\n.\r\n"), Wire.stuffed(b("a\n.b\n.\n\n")));
        assertArrayEquals(b("...\r\nx\r\n.\r\n"), Wire.stuffed(b("..\nx")));
        assertArrayEquals(b("a\r\n.b\r\n.\r\n\r\n"), Wire.unstuffed(b("a\r\n..b\r\n..\r\n\r\n.\r\nrest")));
    }

    @Test
    public void wireSizeAndCrc() {
        byte[] lf = b("a\n.b\n\n");
        byte[] wire = b("a\r\n.b\r\n\r\n");
        assertEquals(wire.length, Wire.wireSize(lf));
        CRC32 c = new CRC32();
        c.update(wire);
        assertEquals(c.getValue(), Wire.wireCrc(lf));
        assertArrayEquals(b("a\n.b\n\nc"), Wire.toLf(b("a\r\n.b\r\n\r\nc")));
        assertTrue(Wire.endsWith(b("Received: x\nabc\n"), b("abc\n")));
        assertFalse(Wire.endsWith(b("abd\n"), b("abc\n")));
    }

    /** The streaming unstuffer gives the same octets and CRC for every buffer size (split states). */
    @Test
    public void readBodyAcrossBufferBoundaries() throws Exception {
        for (int n = 0; n < 30; n++) {
            byte[] m = MessageGen.text(new SplittableRandom(n), "u@x", n, "u/" + n, 3000 + n * 17);
            byte[] stuffed = Wire.stuffed(m);
            byte[] after = b("+OK next\r\n");
            byte[] stream = new byte[stuffed.length + after.length];
            System.arraycopy(stuffed, 0, stream, 0, stuffed.length);
            System.arraycopy(after, 0, stream, stuffed.length, after.length);
            for (int buf : new int[] {1, 2, 3, 7, 64, 65536}) {
                LineIn in = new LineIn(new ByteArrayInputStream(stream), buf);
                CRC32 crc = new CRC32();
                long octets = in.readBody(crc);
                assertEquals(Wire.wireSize(m), octets);
                assertEquals(Wire.wireCrc(m), crc.getValue());
                assertEquals("+OK next", in.readLine());
            }
        }
    }

    @Test
    public void indexOfLfAgreesWithASimpleScan() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n = 0; n < 2000; n++) {
            byte[] b = new byte[r.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                int k = r.nextInt(6);
                b[i] = (byte) (k == 0 ? '\n' : k == 1 ? 0x0b : k == 2 ? 0x8a : k == 3 ? 0 : 'a' + k);
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length);
            int want = -1;
            for (int i = from; i < b.length; i++) {
                if (b[i] == '\n') {
                    want = i;
                    break;
                }
            }
            assertEquals(want, LineIn.indexOfLf(b, from, b.length));
        }
    }

    @Test
    public void readBodyEdgeCases() throws Exception {
        // ".\r" followed by something other than LF is data (a CR after unstuffing), not the end
        LineIn in = new LineIn(new ByteArrayInputStream(b(".\rx\r\n.\r\n")), 2);
        CRC32 crc = new CRC32();
        assertEquals(4, in.readBody(crc));
        CRC32 want = new CRC32();
        want.update(b("\rx\r\n"));
        assertEquals(want.getValue(), crc.getValue());
        // an empty body
        in = new LineIn(new ByteArrayInputStream(b(".\r\n")), 64);
        assertEquals(0, in.readBody(new CRC32()));
        // a connection that closes mid-body is an error, never a short success
        try {
            new LineIn(new ByteArrayInputStream(b("abc\r\n")), 64).readBody(new CRC32());
            throw new AssertionError("no EOF");
        } catch (EOFException expected) {
            // ok
        }
    }

    @Test
    public void replyLines() throws Exception {
        LineIn in = new LineIn(new ByteArrayInputStream(b("+OK a\r\nbare lf\nlong " + "x".repeat(300) + "\r\n")), 16);
        assertEquals("+OK a", in.readLine());
        assertEquals("bare lf", in.readLine());
        assertEquals("long " + "x".repeat(300), in.readLine());
        in = new LineIn(new ByteArrayInputStream(b("1 10\r\n..2 20\r\n.\r\n+OK\r\n")), 5);
        assertEquals(java.util.List.of("1 10", ".2 20"), in.readLines());
        assertEquals("+OK", in.readLine());
    }

    @Test
    public void smtpReplies() throws Exception {
        LineIn in =
                new LineIn(new ByteArrayInputStream(b("250-first\r\n250-SIZE\r\n250 last\r\n354 go\r\n550\r\n")), 8);
        SmtpBench.Reply r = SmtpBench.readReply(in);
        assertEquals(250, r.code);
        assertTrue(r.text.contains("first") && r.text.contains("last"));
        assertEquals(354, SmtpBench.readReply(in).code);
        assertEquals(550, SmtpBench.readReply(in).code);
        try {
            SmtpBench.readReply(new LineIn(new ByteArrayInputStream(b("hello\r\n")), 8));
            throw new AssertionError("accepted a malformed reply");
        } catch (java.io.IOException expected) {
            // ok
        }
    }

    @Test
    public void benchIdFromHeaderOnly() {
        assertEquals("r1/7", SmtpBench.benchId(b("Received: x\nX-Bench-Id: r1/7\nSubject: s\n\nbody\n")));
        assertNull(SmtpBench.benchId(b("Subject: s\n\nX-Bench-Id: r1/7\n")));
    }

    @Test
    public void json() {
        Result r = new Result()
                .put("a", 1)
                .put("b", 2.5)
                .put("c", "x\"y")
                .put("d", true)
                .put("e", null)
                .put("f", Double.NaN)
                .put("g", 1e-7);
        assertEquals("{\"a\":1,\"b\":2.5,\"c\":\"x\\\"y\",\"d\":true,\"e\":null,\"f\":null,\"g\":0}", r.json());
    }
}
