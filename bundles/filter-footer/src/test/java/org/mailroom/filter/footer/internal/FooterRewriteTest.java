package org.mailroom.filter.footer.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.MimeConfig;
import org.junit.Test;

/** The footer written into messages of the shapes mail clients send, read back with a MIME parser. */
public class FooterRewriteTest {

    private static final Charset GBK = Charset.forName("GBK");
    private static final Footer FOOTER =
            new Footer("本邮件含保密信息。\nRef: ${trace}", FooterFilter.htmlOf("本邮件含保密信息。\nRef: ${trace}"), null, null);
    private static final Footer ASCII = new Footer("Confidential.", "<p>Confidential.</p>", null, null);

    /** A leaf of the rewritten message: its type and its decoded body in its charset. */
    private record Leaf(String type, String charset, String text) {}

    @Test
    public void aPlainMessageGetsTheFooterAppended() throws Exception {
        String out = rewrite(ASCII, "From: a@b\r\nSubject: hi\r\n\r\nHello,\r\nBob");
        assertEquals("From: a@b\r\nSubject: hi\r\n\r\nHello,\r\nBob\r\n\r\nConfidential.\r\n", out);
    }

    @Test
    public void aGbkBase64BodyStaysGbkBase64WithTheFooterInside() throws Exception {
        String body = Base64.getMimeEncoder().encodeToString("你好，这是正文。\r\n".getBytes(GBK));
        String out = rewrite(
                FOOTER.withTrace("ABCD-EFGH-JKMN-PQRS"),
                "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=GBK\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\n" + body + "\r\n");
        assertTrue(out, out.contains("Content-Transfer-Encoding: base64\r\n"));
        List<Leaf> leaves = leaves(out);
        assertEquals(1, leaves.size());
        assertEquals(
                "你好，这是正文。\r\n\r\n本邮件含保密信息。\r\nRef: ABCD-EFGH-JKMN-PQRS\r\n",
                leaves.get(0).text());
    }

    @Test
    public void bothAlternativesGetItAndAttachmentsStayOctetForOctet() throws Exception {
        String pdf = Base64.getMimeEncoder().encodeToString(new byte[3000]);
        String message = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
                + "preamble\r\n--m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
                + "--a\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "Gr=C3=BC=C3=9Fe, with a soft=\r\n break\r\n"
                + "--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                + "<html><body><p>Grüße</p></BODY></html>\r\n--a--\r\n"
                + "--m\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + pdf + "\r\n--m--\r\nepilogue\r\n";
        String out = rewrite(FOOTER.withTrace("T"), message);
        List<Leaf> leaves = leaves(out);
        assertEquals(3, leaves.size());
        assertEquals(
                "Grüße, with a soft break\r\n\r\n本邮件含保密信息。\r\nRef: T\r\n",
                leaves.get(0).text());
        String html = leaves.get(1).text();
        assertTrue(html, html.contains("<p>Grüße</p>\r\n<div") && html.endsWith("</div>\r\n</BODY></html>"));
        // a part without Content-Transfer-Encoding is 7bit: the footer's Chinese as character references
        assertTrue(html, html.contains("&#x672c;&#x90ae;&#x4ef6;&#x542b;&#x4fdd;&#x5bc6;&#x4fe1;&#x606f;&#x3002;<br>"));
        assertTrue(
                "the attachment's octets as they were",
                out.contains("Content-Transfer-Encoding: base64\r\n\r\n" + pdf + "\r\n--m"));
        assertTrue(out, out.contains("preamble\r\n--m\r\n") && out.endsWith("--m--\r\nepilogue\r\n"));
    }

    @Test
    public void aMessageThatIsOnlyAnAttachmentIsWrappedWithTheFooterAsAPart() throws Exception {
        String out = rewrite(
                ASCII,
                "From: a@b\r\nSubject: scan\r\nMIME-Version: 1.0\r\nContent-Type: application/pdf; name=s.pdf\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n");
        assertTrue(
                out,
                out.startsWith("From: a@b\r\nSubject: scan\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;"));
        List<Leaf> leaves = leaves(out);
        assertEquals(
                List.of("application/pdf", "text/plain"),
                leaves.stream().map(Leaf::type).toList());
        assertEquals("Confidential.", leaves.get(1).text());
        assertTrue(
                out,
                out.contains(
                        "Content-Type: application/pdf; name=s.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK"));
    }

    @Test
    public void aMixedMessageWhoseFirstPartIsAnAttachmentGetsAFooterPart() throws Exception {
        String out = rewrite(
                ASCII,
                "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\n"
                        + "Content-Disposition: attachment; filename=a.png\r\n\r\nPNG\r\n--b--\r\n");
        List<Leaf> leaves = leaves(out);
        assertEquals(
                List.of("image/png", "text/plain"),
                leaves.stream().map(Leaf::type).toList());
    }

    @Test
    public void aCharsetThatCannotWriteTheFooterGetsItAsAUtf8Part() throws Exception {
        String out = rewrite(FOOTER.withTrace("T"), "Subject: x\r\n\r\nplain ascii\r\n");
        List<Leaf> leaves = leaves(out);
        assertEquals(2, leaves.size());
        assertEquals("plain ascii\r\n", leaves.get(0).text());
        assertEquals("本邮件含保密信息。\nRef: T", leaves.get(1).text());
        // a 7bit UTF-8 part takes it, in quoted-printable
        String utf8 = rewrite(
                FOOTER.withTrace("T"),
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nhi\r\n");
        assertTrue(utf8, utf8.contains("Content-Transfer-Encoding: quoted-printable\r\n") && !utf8.contains("7bit"));
        assertEquals("hi\r\n\r\n本邮件含保密信息。\r\nRef: T\r\n", leaves(utf8).get(0).text());
    }

    @Test
    public void theLogoIsAnInlinePartOfTheHtmlsMultipartRelated() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        Footer withLogo = new Footer("Confidential.", "<p>Confidential.</p>", png, "image/png");
        String out =
                rewrite(withLogo, "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>hi</body></html>\r\n");
        List<Leaf> leaves = leaves(out);
        assertEquals(
                List.of("text/html", "image/png"),
                leaves.stream().map(Leaf::type).toList());
        assertTrue(out, out.startsWith("MIME-Version: 1.0\r\nContent-Type: multipart/related;"));
        assertTrue(
                leaves.get(0).text(), leaves.get(0).text().contains("<img src=\"cid:" + FooterRewrite.LOGO_ID + "\""));
        assertTrue(out, out.contains("Content-ID: <" + FooterRewrite.LOGO_ID + ">"));
    }

    // ---- helpers

    private static String rewrite(Footer footer, String message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FooterRewrite(footer).rewrite(new ByteArrayInputStream(message.getBytes(UTF_8)), out);
        if (Boolean.getBoolean("show")) {
            System.out.println("=====\n" + out.toString(UTF_8).replace("\r\n", "<CRLF>\n"));
        }
        return out.toString(UTF_8);
    }

    private static List<Leaf> leaves(String message) throws Exception {
        List<Leaf> leaves = new ArrayList<>();
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.STRICT);
        parser.setContentDecoding(true);
        parser.setContentHandler(new AbstractContentHandler() {
            @Override
            public void body(BodyDescriptor bd, InputStream is) throws java.io.IOException {
                String charset = bd.getCharset() == null ? "us-ascii" : bd.getCharset();
                leaves.add(
                        new Leaf(bd.getMimeType(), charset, new String(is.readAllBytes(), Charset.forName(charset))));
            }
        });
        parser.parse(new ByteArrayInputStream(message.getBytes(UTF_8)));
        return leaves;
    }
}
