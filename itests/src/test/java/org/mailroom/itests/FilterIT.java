package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.filter.TextExtractor;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.SmtpClient;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;

/**
 * Content filtering through the distribution: the sensitive-words feature installed from the
 * distribution's repository, its verdicts in the SMTP and LMTP replies and in what POP3 returns,
 * its rules edited while it runs, and a required filter stopped and started again.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FilterIT extends MailroomTestSupport {

    private static final String WORDS_BSN = "org.mailroom.filter.words";
    private static final Charset GBK = Charset.forName("GBK");

    @Test(timeout = 180_000)
    public void t1_wordsInstalledRejectsTagsAndReloadsItsRules() throws Exception {
        Path rules = Path.of(System.getProperty("karaf.etc")).resolve("mailroom-words.rules");
        writeAtomically(rules, "reject word 绝密\ntag word 季度报告\n");
        admin("feature:install mailroom-filter-words-core");
        getOsgiService(ContentFilter.class, "(" + ContentFilter.NAME + "=sensitive-words)", TIMEOUT);
        Poll.until("SMTP port accepting", TIMEOUT, () -> accepts(smtpPort()));

        // A GBK encoded-word Subject: refused in the reply to DATA, never delivered.
        String refused = "refused-" + System.nanoTime();
        SmtpClient.Reply reply = send(
                smtpPort(),
                "EHLO",
                "demo@localhost",
                "X-Marker: " + refused + "\r\nSubject: =?GBK?B?" + b64("关于绝密文件", GBK) + "?=\r\n\r\nhello\r\n");
        assertEquals(reply.toString(), 550, reply.code());
        assertEquals("5.7.1 Message refused by the content policy (rule at line 1)", reply.text());

        // The same word in traditional characters, in a UTF-8 quoted-printable body (ICU's folding).
        reply = send(
                smtpPort(),
                "EHLO",
                "demo@localhost",
                "Subject: news\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        + "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                        + "=E7=B5=95=E5=AF=86\r\n");
        assertEquals("絕密 is 绝密 folded: " + reply, 550, reply.code());

        // A base64 GBK body with a tag word: delivered with the tag header.
        String tagged = "tagged-" + System.nanoTime();
        reply = send(
                smtpPort(),
                "EHLO",
                "demo@localhost",
                "X-Marker: " + tagged + "\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                        + b64("这是季度报告。", GBK) + "\r\n");
        assertEquals(reply.toString(), 250, reply.code());
        String message = retrieveByMarker(tagged);
        assertTrue(message, message.contains("\r\nX-Mailroom-Words: line 2\r\n"));
        assertFalse("the refused message is in no mailbox", mailboxHas(refused));

        // LMTP answers per recipient: the filter refuses for every recipient alike here.
        try (SmtpClient lmtp = SmtpClient.connect(LOCALHOST, lmtpPort(), TIMEOUT)) {
            assertEquals(220, lmtp.reply().code());
            assertEquals(250, lmtp.command("LHLO mta.example").code());
            assertEquals(250, lmtp.command("MAIL FROM:<a@example.org>").code());
            assertEquals(250, lmtp.command("RCPT TO:<demo@localhost>").code());
            SmtpClient.Reply first = lmtp.data("Subject: x\r\n\r\n绝密\r\n");
            assertEquals(first.toString(), 550, first.code());
        }

        // An edit of the rules applies within the reload interval; a bad edit keeps the rules.
        writeAtomically(rules, "reject word 绝密\nreject word 新词\n");
        Poll.until("the edited rules in force", TIMEOUT, () -> {
            try {
                return send(smtpPort(), "EHLO", "demo@localhost", "Subject: 新词\r\n\r\nx\r\n")
                                .code()
                        == 550;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writeAtomically(rules, "reject word 绝密\nnonsense here\n");
        Path log = Path.of(System.getProperty("karaf.log"), "karaf.log");
        String reported = "mailroom-words.rules:2: expected ACTION[/COUNT] KIND PATTERN";
        Poll.until("karaf.log reports " + reported, TIMEOUT, () -> {
            try {
                return Files.readString(log, UTF_8).contains(reported);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(
                "a bad version does not replace the rules",
                550,
                send(smtpPort(), "EHLO", "demo@localhost", "Subject: 新词\r\n\r\nx\r\n")
                        .code());
    }

    @Test(timeout = 180_000)
    public void t2_aRequiredFilterThatIsStoppedDefersMailUntilItIsBack() throws Exception {
        writeAtomically(Path.of(System.getProperty("karaf.etc")).resolve("mailroom-words.rules"), "reject word 绝密\n");
        Configuration delivery = configurationAdmin.getConfiguration("org.mailroom.delivery", null);
        Dictionary<String, Object> properties = delivery.getProperties();
        Dictionary<String, Object> required = properties == null ? new Hashtable<>() : properties;
        required.put("requiredFilters", "sensitive-words");
        delivery.update(required);
        try {
            Poll.until(
                    "words bundle active",
                    TIMEOUT,
                    () -> bundle(WORDS_BSN) != null && bundle(WORDS_BSN).getState() == Bundle.ACTIVE);
            admin("bundle:stop " + WORDS_BSN);
            String deferred = "deferred-" + System.nanoTime();
            Poll.until("mail deferred while the required filter is stopped", TIMEOUT, () -> {
                try {
                    SmtpClient.Reply r = send(
                            smtpPort(),
                            "EHLO",
                            "demo@localhost",
                            "X-Marker: " + deferred + "\r\nSubject: plain\r\n\r\nx\r\n");
                    assertTrue(r.toString(), r.code() == 451 || r.code() == 250);
                    return r.code() == 451
                            && r.text().startsWith("4.7.1 Content filter sensitive-words is not available");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            admin("bundle:start " + WORDS_BSN);
            String passed = "passed-" + System.nanoTime();
            Poll.until("mail delivered once the filter is back", TIMEOUT, () -> {
                try {
                    return send(
                                            smtpPort(),
                                            "EHLO",
                                            "demo@localhost",
                                            "X-Marker: " + passed + "\r\nSubject: plain\r\n\r\nx\r\n")
                                    .code()
                            == 250;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            retrieveByMarker(passed);
            assertEquals(
                    550,
                    send(smtpPort(), "EHLO", "demo@localhost", "Subject: 绝密\r\n\r\nx\r\n")
                            .code());
        } finally {
            required.put("requiredFilters", "");
            delivery.update(required);
        }
    }

    @Test(timeout = 180_000)
    public void t3_quarantinedMailIsHeldNotInPop3AndReleasedWithTheConsole() throws Exception {
        Path rules = Path.of(System.getProperty("karaf.etc")).resolve("mailroom-words.rules");
        writeAtomically(rules, "quarantine/2 word 内部资料\n");
        Poll.until("the quarantine rule in force", TIMEOUT, () -> {
            try {
                String marker = "held-" + System.nanoTime();
                SmtpClient.Reply r = send(
                        smtpPort(),
                        "EHLO",
                        "demo@localhost",
                        "X-Marker: " + marker + "\r\nSubject: 内部资料\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                + "\r\n又是内部资料\r\n");
                assertEquals(r.toString(), 250, r.code());
                return executeCommand("mail:quarantine-list").contains("by sensitive-words: rule at line 1");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String list = executeCommand("mail:quarantine-list");
        String id = list.lines()
                .filter(l -> l.contains("by sensitive-words: rule at line 1"))
                .findFirst()
                .orElseThrow()
                .split(" ")[0];
        String show = executeCommand("mail:quarantine-show " + id);
        assertTrue(show, show.contains("Filter:   sensitive-words"));
        String heldMarker = show.lines()
                .filter(l -> l.startsWith("X-Marker: "))
                .findFirst()
                .orElseThrow()
                .substring("X-Marker: ".length());
        assertFalse("a held message is not in the mailbox", mailboxHas(heldMarker));
        String released = executeCommand("mail:quarantine-release " + id, Duration.ofSeconds(60), KarafConsole.admin());
        assertTrue(released, released.contains("Released " + id + " into the mailbox of demo"));
        String delivered = find(heldMarker);
        assertTrue("released into the mailbox", delivered != null);
        assertTrue(delivered, delivered.startsWith("Return-Path: <someone@example.org>\r\n"));
        assertFalse(executeCommand("mail:quarantine-list").contains(id));
    }

    @Test(timeout = 180_000)
    public void t4_dlpCountsValidIdNumbersOnlyAndRefusesOverItsThreshold() throws Exception {
        Path rules = Path.of(System.getProperty("karaf.etc")).resolve("mailroom-dlp.rules");
        writeAtomically(rules, "reject/2 cn-id\n");
        getOsgiService(ContentFilter.class, "(" + ContentFilter.NAME + "=dlp)", TIMEOUT);
        String two = "Subject: list\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                + "张三 11010519491231002X\r\n李四 ４４０３０４１９９００３０７１２３Ｘ\r\n";
        Poll.until("the DLP rules in force", TIMEOUT, () -> replies(550, two));
        SmtpClient.Reply refused = send(smtpPort(), "EHLO", "demo@localhost", two);
        assertEquals("5.7.1 Message refused by the data-loss policy (rule at line 1)", refused.text());
        String marker = "dlp-" + System.nanoTime();
        SmtpClient.Reply accepted = send(
                smtpPort(),
                "EHLO",
                "demo@localhost",
                two.replace("Subject: list", "X-Marker: " + marker)
                        .replace("11010519491231002X", "110105194912310021"));
        assertEquals("a number whose check character fails does not count: " + accepted, 250, accepted.code());
        retrieveByMarker(marker);
    }

    @Test(timeout = 180_000)
    public void t5_attachmentPolicyLooksIntoNestedZipsAndAtTheContentsType() throws Exception {
        Path rules = Path.of(System.getProperty("karaf.etc")).resolve("mailroom-attachments.rules");
        writeAtomically(rules, "reject extension exe,scr\nquarantine mismatch\n");
        getOsgiService(ContentFilter.class, "(" + ContentFilter.NAME + "=attachments)", TIMEOUT);
        byte[] program = new byte[1024];
        program[0] = 'M';
        program[1] = 'Z';
        byte[] inner = zip("setup.exe", program);
        String nested = withAttachment("holiday.zip", "application/x-zip-compressed", zip("photos/more.zip", inner));
        Poll.until("the attachment rules in force", TIMEOUT, () -> replies(550, nested));
        SmtpClient.Reply refused = send(smtpPort(), "EHLO", "demo@localhost", nested);
        assertEquals("5.7.1 Message refused by the attachment policy (rule at line 1)", refused.text());

        String marker = "attachments-" + System.nanoTime();
        byte[] docx = zip("[Content_Types].xml", "<Types/>".getBytes(UTF_8));
        SmtpClient.Reply delivered = send(
                smtpPort(),
                "EHLO",
                "demo@localhost",
                withAttachment(
                                "cv.docx",
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                docx)
                        .replace("Subject: files", "X-Marker: " + marker));
        assertEquals("a .docx is a zip: " + delivered, 250, delivered.code());
        retrieveByMarker(marker);

        // A Windows program named as a PDF: held in the quarantine, not in the mailbox.
        String disguised = "disguised-" + System.nanoTime();
        SmtpClient.Reply held = send(
                smtpPort(),
                "EHLO",
                "demo@localhost",
                withAttachment("invoice.pdf", "application/pdf", program)
                        .replace("Subject: files", "X-Marker: " + disguised));
        assertEquals(held.toString(), 250, held.code());
        String list = executeCommand("mail:quarantine-list");
        assertTrue(list, list.contains("by attachments: rule at line 2"));
        assertFalse("a quarantined message is in no mailbox", mailboxHas(disguised));
        writeAtomically(rules, "");
    }

    @Test(timeout = 180_000)
    public void t6_footerAndTraceMarkInWhatPop3ReturnsAndTheCodeDecodes() throws Exception {
        admin("feature:install mailroom-filter-footer-core");
        getOsgiService(ContentFilter.class, "(" + ContentFilter.NAME + "=footer)", TIMEOUT);
        try {
            String marker = "footer-" + System.nanoTime();
            String body = Base64.getMimeEncoder().encodeToString("你好，正文。\r\n".getBytes(UTF_8));
            SmtpClient.Reply reply = send(
                    smtpPort(),
                    "EHLO",
                    "demo@localhost",
                    "X-Marker: " + marker + "\r\nMessage-ID: <" + marker + "@example.org>\r\nSubject: x\r\n"
                            + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                            + "Content-Transfer-Encoding: base64\r\n\r\n" + body + "\r\n");
            assertEquals(reply.toString(), 250, reply.code());
            String message = retrieveByMarker(marker);
            java.util.regex.Matcher code = java.util.regex.Pattern.compile("\r\nX-Mailroom-Trace: ([0-9A-Z-]{19})\r\n")
                    .matcher(message);
            assertTrue(message, code.find());
            String encoded = message.substring(message.indexOf("\r\n\r\n") + 4);
            String text = new String(Base64.getMimeDecoder().decode(encoded.strip()), UTF_8);
            assertTrue(text, text.startsWith("你好，正文。\r\n\r\n--\r\nThis message may contain confidential"));
            assertTrue(text, text.endsWith("Ref: " + code.group(1) + "\r\n"));
            String decoded = executeCommand("mail:trace-decode " + code.group(1).toLowerCase(java.util.Locale.ROOT));
            assertTrue(
                    decoded,
                    decoded.contains("recipient  demo@localhost") && decoded.contains(marker + "@example.org"));

            // S/MIME signed mail is delivered unchanged: the trace code in the header only.
            String signed = "signed-" + System.nanoTime();
            String signedBody = "--s\r\nContent-Type: text/plain\r\n\r\nsigned text\r\n--s\r\n"
                    + "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQE=\r\n--s--\r\n";
            reply = send(
                    smtpPort(),
                    "EHLO",
                    "demo@localhost",
                    "X-Marker: " + signed + "\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
                            + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\r\n\r\n"
                            + signedBody);
            assertEquals(reply.toString(), 250, reply.code());
            String held = retrieveByMarker(signed);
            assertTrue(held, held.endsWith("\r\n\r\n" + signedBody) && held.contains("\r\nX-Mailroom-Trace: "));
        } finally {
            admin("feature:uninstall mailroom-filter-footer-core");
        }
    }

    @Test(timeout = 240_000)
    public void t7_textInPdfAndWordAttachmentsMeetsTheDlpRulesAndAnUnreadableOneIsHeld() throws Exception {
        Path etc = Path.of(System.getProperty("karaf.etc"));
        writeAtomically(etc.resolve("mailroom-dlp.rules"), "reject/2 cn-id\n");
        writeAtomically(etc.resolve("mailroom-attachments.rules"), "quarantine unreadable-document\n");
        admin("feature:install mailroom-extract-tika");
        Configuration delivery = configurationAdmin.getConfiguration("org.mailroom.delivery", null);
        Dictionary<String, Object> properties = delivery.getProperties();
        Dictionary<String, Object> required = properties == null ? new Hashtable<>() : properties;
        try {
            getOsgiService(TextExtractor.class, "(" + TextExtractor.NAME + "=tika)", TIMEOUT);
            // Declared as octet-stream: the extractor goes by the content's first octets.
            String pdf = withAttachment(
                    "scan.bin",
                    "application/octet-stream",
                    pdf("Applicant 11010519491231002X", "Guarantor 440300199001011238"));
            Poll.until("the DLP rules see the PDF's text", TIMEOUT, () -> replies(550, pdf));
            assertEquals(
                    "5.7.1 Message refused by the data-loss policy (rule at line 1)",
                    send(smtpPort(), "EHLO", "demo@localhost", pdf).text());

            String twoInWord = withAttachment(
                    "名单.docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    docx("张三 11010519491231002X 李四 440300199001011238"));
            assertEquals(
                    550, send(smtpPort(), "EHLO", "demo@localhost", twoInWord).code());
            String marker = "tika-" + System.nanoTime();
            String oneInWord = withAttachment(
                            "名单.docx",
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            docx("张三 11010519491231002X"))
                    .replace("Subject: files", "X-Marker: " + marker);
            assertEquals(
                    250, send(smtpPort(), "EHLO", "demo@localhost", oneInWord).code());
            retrieveByMarker(marker);

            // A PDF that cannot be read is held by the attachment rule, not let through unread.
            // The rule was written above; until its reload a damaged PDF is delivered, so each
            // try has a marker of its own, and the one that is held must be in no mailbox.
            String[] damaged = new String[1];
            Poll.until("the unreadable PDF quarantined", TIMEOUT, () -> {
                damaged[0] = "damaged-" + System.nanoTime();
                try {
                    SmtpClient.Reply held = send(
                            smtpPort(),
                            "EHLO",
                            "demo@localhost",
                            withAttachment("report.pdf", "application/pdf", "%PDF-1.7\n1 0 obj << /Ty".getBytes(UTF_8))
                                    .replace("Subject: files", "X-Marker: " + damaged[0]));
                    assertEquals(held.toString(), 250, held.code());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return console("mail:quarantine-list").contains("by attachments: rule at line 1");
            });
            assertFalse(mailboxHas(damaged[0]));

            // Required: while the extractor is stopped, mail waits; none goes through unread.
            required.put("requiredFilters", "tika");
            delivery.update(required);
            admin("bundle:stop org.mailroom.extract.tika");
            Poll.until("mail deferred while the required extractor is stopped", TIMEOUT, () -> {
                try {
                    SmtpClient.Reply r = send(smtpPort(), "EHLO", "demo@localhost", pdf);
                    return r.code() == 451 && r.text().startsWith("4.7.1 Content filter tika is not available");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            admin("bundle:start org.mailroom.extract.tika");
            Poll.until("the PDF refused again once the extractor is back", TIMEOUT, () -> replies(550, pdf));
        } finally {
            required.put("requiredFilters", "");
            delivery.update(required);
            writeAtomically(etc.resolve("mailroom-attachments.rules"), "");
            admin("feature:uninstall mailroom-extract-tika");
        }
    }

    /** A one-page PDF with a line of Helvetica per argument, written out by hand with its xref table. */
    private static byte[] pdf(String... lines) {
        StringBuilder text = new StringBuilder("BT /F1 12 Tf 72 700 Td");
        for (String line : lines) {
            text.append(" (").append(line).append(") Tj 0 -16 Td");
        }
        text.append(" ET");
        List<String> objects = List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
                        + " /Resources << /Font << /F1 5 0 R >> >> >>",
                "<< /Length " + text.length() + " >>\nstream\n" + text + "\nendstream",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
        List<Integer> offsets = new java.util.ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(pdf.length());
            pdf.append(i + 1).append(" 0 obj\n").append(objects.get(i)).append("\nendobj\n");
        }
        int xref = pdf.length();
        pdf.append("xref\n0 ").append(objects.size() + 1).append("\n0000000000 65535 f \n");
        for (int offset : offsets) {
            pdf.append(String.format("%010d 00000 n \n", offset));
        }
        pdf.append("trailer\n<< /Size ")
                .append(objects.size() + 1)
                .append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref)
                .append("\n%%EOF\n");
        return pdf.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** A minimal Word document (OOXML) with one paragraph. */
    private static byte[] docx(String paragraph) throws java.io.IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("[Content_Types].xml"));
            zip.write((xml + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                            + "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
                            + "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>")
                    .getBytes(UTF_8));
            zip.putNextEntry(new java.util.zip.ZipEntry("_rels/.rels"));
            zip.write((xml + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                            + "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>")
                    .getBytes(UTF_8));
            zip.putNextEntry(new java.util.zip.ZipEntry("word/document.xml"));
            zip.write((xml + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
                            + "<w:body><w:p><w:r><w:t>" + paragraph + "</w:t></w:r></w:p></w:body></w:document>")
                    .getBytes(UTF_8));
        }
        return bytes.toByteArray();
    }

    private static String withAttachment(String name, String type, byte[] content) {
        return "Subject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n"
                + "--b1\r\nContent-Type: " + type + "; name=\"" + name + "\"\r\n"
                + "Content-Disposition: attachment; filename=\"" + name + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder(76, "\r\n".getBytes(UTF_8)).encodeToString(content) + "\r\n--b1--\r\n";
    }

    private static byte[] zip(String name, byte[] content) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    // ---- helpers

    private SmtpClient.Reply send(int port, String hello, String to, String message) throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(LOCALHOST, port, TIMEOUT)) {
            assertEquals(220, smtp.reply().code());
            assertEquals(250, smtp.command(hello + " client.example").code());
            assertEquals(250, smtp.command("MAIL FROM:<someone@example.org>").code());
            assertEquals(250, smtp.command("RCPT TO:<" + to + ">").code());
            SmtpClient.Reply reply = smtp.data(message);
            smtp.command("QUIT");
            return reply;
        }
    }

    /** Whether a message to demo gets this reply code. */
    private boolean replies(int code, String message) {
        try {
            return send(smtpPort(), "EHLO", "demo@localhost", message).code() == code;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String console(String command) {
        try {
            return executeCommand(command);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String retrieveByMarker(String marker) throws Exception {
        String[] found = new String[1];
        Poll.until(marker + " delivered", TIMEOUT, () -> {
            found[0] = find(marker);
            return found[0] != null;
        });
        return found[0];
    }

    private boolean mailboxHas(String marker) {
        return find(marker) != null;
    }

    private String find(String marker) {
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            pop3.readGreeting();
            assertTrue(pop3.stls().ok());
            assertTrue(pop3.command("USER " + DEMO_USER).ok());
            assertTrue(pop3.command("PASS " + DEMO_PASSWORD).ok());
            for (String line : pop3.multiLine("LIST").lines()) {
                List<String> lines =
                        pop3.multiLine("RETR " + line.split(" ")[0]).lines();
                String message = String.join("\r\n", lines) + "\r\n";
                if (message.contains(marker)) {
                    return message;
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void admin(String command) throws Exception {
        String out = executeCommand(command, Duration.ofSeconds(60), KarafConsole.admin());
        assertFalse(command + ": " + out, out.toLowerCase(java.util.Locale.ROOT).contains("error"));
    }

    private static String b64(String text, Charset charset) {
        return Base64.getEncoder().encodeToString(text.getBytes(charset));
    }

    private static void writeAtomically(Path file, String content) throws Exception {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content, UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
