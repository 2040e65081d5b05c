package org.mailroom.delivery.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;

/** The parse the filters see, on mail shaped as Chinese and Western clients write it. */
public class MessageWalkerTest {

    private static final Charset GBK = Charset.forName("GBK");
    private static final Charset BIG5 = Charset.forName("Big5");

    @Test
    public void gbkSubjectAndGb2312Base64BodyAreDecoded() throws IOException {
        String subject = "=?GBK?B?" + b64("季度报告：机密", GBK) + "?=";
        Seen seen = walk("From: a@example.cn\r\nSubject: " + subject + "\r\n"
                + "Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + wrap(b64("请勿外传。这是内部资料。", GBK)) + "\r\n");
        assertEquals("季度报告：机密", seen.header("Subject"));
        assertEquals(subject, seen.raw("Subject"));
        assertEquals(List.of("1"), seen.paths());
        assertEquals("请勿外传。这是内部资料。", seen.text.get("1").toString());
        assertEquals("gb2312", seen.parts.get(0).charset());
    }

    @Test
    public void aWordSplitAcrossEncodedWordsOrASoftLineBreakIsWhole() throws IOException {
        // "机密" as two adjacent encoded words, and as quoted-printable split by a soft line break
        byte[] word = "机密".getBytes(GBK);
        String first = Base64.getEncoder().encodeToString(new byte[] {word[0], word[1]});
        String second = Base64.getEncoder().encodeToString(new byte[] {word[2], word[3]});
        String qp = qp(word);
        Seen seen = walk("Subject: =?GBK?B?" + first + "?=\r\n =?GBK?B?" + second + "?=\r\n"
                + "Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "x " + qp.substring(0, 6) + "=\r\n" + qp.substring(6) + " y\r\n");
        assertEquals("机密", seen.header("Subject"));
        assertEquals("x 机密 y\r\n", seen.text.get("1").toString());
    }

    @Test
    public void nestedMultipartNumbersPartsAsImapAndDecodesFileNames() throws IOException {
        String message = "Subject: parts\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
                + "preamble\r\n--outer\r\n"
                + "Content-Type: multipart/alternative; boundary=inner\r\n\r\n"
                + "--inner\r\nContent-Type: text/plain; charset=big5\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + qp("機密文件".getBytes(BIG5)) + "\r\n"
                + "--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hello</p>\r\n"
                + "--inner--\r\n"
                + "--outer\r\nContent-Type: application/zip\r\n"
                + "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.zip\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + b64bytes(new byte[] {'P', 'K', 3, 4}) + "\r\n"
                + "--outer\r\nContent-Type: application/octet-stream; name=\"=?GB2312?B?" + b64("名单", GBK)
                + "?=.xls\"\r\n\r\nraw\r\n"
                + "--outer\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
                + " filename*0*=utf-8''%E5%90%88; filename*1*=%E5%90%8C; filename*2=.pdf\r\n\r\n%PDF\r\n"
                + "--outer--\r\nepilogue\r\n";
        Seen seen = walk(message);
        assertEquals(List.of("1.1", "1.2", "2", "3", "4"), seen.paths());
        assertEquals("機密文件", seen.text.get("1.1").toString().strip());
        assertEquals("<p>hello</p>", seen.text.get("1.2").toString().strip());
        MimePart zip = seen.parts.get(2);
        assertEquals("application/zip", zip.mimeType());
        assertEquals("报告.zip", zip.fileName());
        assertTrue(zip.attachment());
        assertNull("not text: no characters", seen.text.get("2"));
        assertEquals("PK\u0003\u0004", new String(seen.bytes.get("2"), US_ASCII));
        assertEquals("名单.xls", seen.parts.get(3).fileName());
        assertTrue("a part with a name is an attachment", seen.parts.get(3).attachment());
        assertEquals("合同.pdf", seen.parts.get(4).fileName());
        assertFalse(seen.parts.get(0).attachment());
        assertEquals(
                "only the message's own fields",
                List.of("Subject", "MIME-Version", "Content-Type"),
                seen.headerNames());
    }

    @Test
    public void anAttachedMessageIsWalkedInto() throws IOException {
        Seen seen = walk("Subject: fwd\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Subject: inner\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
                + "--c\r\nContent-Type: text/plain\r\n\r\ninner secret\r\n--c--\r\n"
                + "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: single\r\n\r\nsingle body\r\n"
                + "--b--\r\n");
        assertEquals(List.of("1", "2.1", "3.1"), seen.paths());
        assertEquals("inner secret", seen.text.get("2.1").toString().strip());
        assertEquals("single body", seen.text.get("3.1").toString().strip());
        assertEquals("fwd", seen.header("Subject"));
    }

    @Test
    public void aLargeAttachmentStreamsInBoundedChunks() throws IOException {
        long octets = 57L * 368_000; // 21 MB
        String head = "Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        InputStream message = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(head.getBytes(US_ASCII)),
                new Base64Lines(octets),
                new ByteArrayInputStream("\r\n--b--\r\n".getBytes(US_ASCII)))));
        long[] total = new long[1];
        int[] largest = new int[1];
        MessageWalker.walk(message, new Seen() {
            @Override
            public void content(MimePart part, byte[] b, int off, int len) {
                total[0] += len;
                largest[0] = Math.max(largest[0], len);
            }
        });
        assertEquals(octets, total[0]);
        assertTrue("chunks of at most 8 KB, not the whole part: " + largest[0], largest[0] <= 8192);
    }

    // ---- helpers

    private static Seen walk(String message) throws IOException {
        Seen seen = new Seen();
        MessageWalker.walk(new ByteArrayInputStream(message.getBytes(US_ASCII)), seen);
        return seen;
    }

    private static String b64(String text, Charset charset) {
        return Base64.getEncoder().encodeToString(text.getBytes(charset));
    }

    private static String b64bytes(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String wrap(String base64) {
        return base64.replaceAll("(.{76})", "$1\r\n");
    }

    private static String qp(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("=%02X", b & 0xff));
        }
        return out.toString();
    }

    /** Records what the walker reports. */
    private static class Seen implements MessageWalker.Listener {
        final List<MimeField> fields = new ArrayList<>();
        final List<MimePart> parts = new ArrayList<>();
        final Map<String, StringBuilder> text = new LinkedHashMap<>();
        final Map<String, byte[]> bytes = new LinkedHashMap<>();

        @Override
        public void header(MimeField field) {
            fields.add(field);
        }

        @Override
        public void startPart(MimePart part) {
            parts.add(part);
        }

        @Override
        public void content(MimePart part, byte[] b, int off, int len) {
            byte[] old = bytes.getOrDefault(part.path(), new byte[0]);
            byte[] joined = new byte[old.length + len];
            System.arraycopy(old, 0, joined, 0, old.length);
            System.arraycopy(b, off, joined, old.length, len);
            bytes.put(part.path(), joined);
        }

        @Override
        public void text(MimePart part, CharSequence chars) {
            text.computeIfAbsent(part.path(), p -> new StringBuilder()).append(chars);
        }

        @Override
        public void endPart(MimePart part) {}

        String header(String name) {
            return fields.stream()
                    .filter(f -> f.name().equalsIgnoreCase(name))
                    .findFirst()
                    .orElseThrow()
                    .value();
        }

        String raw(String name) {
            return fields.stream()
                    .filter(f -> f.name().equalsIgnoreCase(name))
                    .findFirst()
                    .orElseThrow()
                    .raw();
        }

        List<String> headerNames() {
            return fields.stream().map(MimeField::name).toList();
        }

        List<String> paths() {
            return parts.stream().map(MimePart::path).toList();
        }
    }

    /** Base64 lines of 76 characters encoding {@code octets} zero octets, generated as read. */
    private static final class Base64Lines extends InputStream {
        private static final byte[] LINE = ("A".repeat(76) + "\r\n").getBytes(US_ASCII);
        private long lines;
        private int at;

        Base64Lines(long octets) {
            this.lines = octets / 57;
            if (octets % 57 != 0) {
                throw new IllegalArgumentException("a multiple of 57 octets");
            }
        }

        @Override
        public int read() {
            if (lines == 0) {
                return -1;
            }
            int b = LINE[at++];
            if (at == LINE.length) {
                at = 0;
                lines--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (lines == 0) {
                return -1;
            }
            int n = Math.min(len, LINE.length - at);
            System.arraycopy(LINE, at, b, off, n);
            at += n;
            if (at == LINE.length) {
                at = 0;
                lines--;
            }
            return n;
        }
    }
}
