package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.Test;
import org.mailroom.smtp.internal.DataReader.BareLineEnds;

public class BdatSinkTest {

    @Test
    public void crlfSplitAcrossChunksIsKeptAndTheSizeIsExact() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BdatSink sink = new BdatSink(out, 11, BareLineEnds.REJECT);
        sink.write(bytes("line\r"));
        assertNull(sink.refusal(false));
        sink.write(bytes("\nend\r\n"));
        assertNull(sink.refusal(true));
        assertEquals("line\r\nend\r\n", out.toString(ISO_8859_1));
    }

    @Test
    public void bareLfAndCrAreRefusedUnderRejectLikeData() throws IOException {
        for (String content : new String[] {"a\nb\r\n", "a\rb\r\n", "a\r\nb\r"}) {
            BdatSink sink = new BdatSink(new ByteArrayOutputStream(), 1000, BareLineEnds.REJECT);
            sink.write(bytes(content));
            assertEquals(content, DataReader.BARE_LINE_END, sink.refusal(true));
        }
    }

    @Test
    public void bareLfAndCrBecomeCrlfUnderNormalise() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BdatSink sink = new BdatSink(out, 1000, BareLineEnds.NORMALISE);
        sink.write(bytes("a\nb\rc\r"));
        sink.write(bytes("\nd\r"));
        assertNull(sink.refusal(true));
        assertEquals("a\r\nb\r\nc\r\nd\r\n", out.toString(ISO_8859_1));
    }

    @Test
    public void pastTheLimitNothingMoreIsWrittenAndTheMessageIsRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BdatSink sink = new BdatSink(out, 4, BareLineEnds.REJECT);
        sink.write(bytes("abcd"));
        assertNull(sink.refusal(false));
        sink.write(bytes("e"));
        assertEquals(DataReader.TOO_BIG, sink.refusal(false));
        assertEquals("abcd", out.toString(ISO_8859_1));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }
}
