package org.mailroom.store.maildir.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.Test;

public class CrlfInputStreamTest {

    @Test
    public void convertsBareLfOnlyAndAddsNothing() throws IOException {
        assertConverts("a\nb\r\nc\rd\n\n", "a\r\nb\r\nc\rd\r\n\r\n");
        assertConverts("no newline", "no newline");
        assertConverts("\n", "\r\n");
        assertConverts("ends with cr\r", "ends with cr\r");
        assertConverts("", "");
    }

    @Test
    public void handlesEveryReadSizeAcrossBufferBoundaries() throws IOException {
        Random random = new Random(42);
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            int k = random.nextInt(10);
            data[i] = (byte) (k == 0 ? '\n' : k == 1 ? '\r' : 'a' + k);
        }
        byte[] expected = Wire.fromDisk(data);
        for (int chunk : new int[] {1, 2, 3, 7, 4096, 16 * 1024, 16 * 1024 + 1, 200_000}) {
            try (InputStream in = new CrlfInputStream(new TrickleInputStream(data, chunk))) {
                assertArrayEquals("chunk " + chunk, expected, readInChunks(in, chunk));
            }
        }
        try (InputStream in = new CrlfInputStream(new ByteArrayInputStream(data))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
            }
            assertArrayEquals(expected, out.toByteArray());
        }
    }

    @Test
    public void skipCountsWireOctets() throws IOException {
        try (InputStream in = new CrlfInputStream(new ByteArrayInputStream("a\nb\n".getBytes(UTF_8)))) {
            assertEquals(2, in.skip(2));
            assertEquals('\n', in.read());
            assertEquals('b', in.read());
            assertEquals(2, in.skip(5));
            assertEquals(-1, in.read());
        }
    }

    private static void assertConverts(String disk, String wire) throws IOException {
        try (InputStream in = new CrlfInputStream(new ByteArrayInputStream(disk.getBytes(UTF_8)))) {
            assertEquals(wire, new String(in.readAllBytes(), UTF_8));
        }
    }

    private static byte[] readInChunks(InputStream in, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        int r;
        while ((r = in.read(buffer, 0, chunk)) >= 0) {
            out.write(buffer, 0, r);
        }
        return out.toByteArray();
    }

    /** Returns at most {@code chunk} bytes per read, like a slow file or socket. */
    static final class TrickleInputStream extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;

        TrickleInputStream(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
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
    }
}
