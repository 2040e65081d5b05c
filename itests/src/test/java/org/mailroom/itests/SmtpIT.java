package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Base64;
import java.util.List;
import org.junit.Test;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.SmtpClient;
import org.mailroom.testing.exam.MailroomTestSupport;

/**
 * Mail in, through the distribution's SMTP, submission, SMTPS and LMTP listeners, the spool and
 * local delivery, and out again over POP3: byte for byte, with the trace headers on top.
 */
public class SmtpIT extends MailroomTestSupport {

    private static final String BODY = "From: Someone <someone@example.org>\r\nTo: demo@localhost\r\n"
            + "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + "Grüße, 日本語\r\n.a line starting with a dot\r\n..two dots\r\n.\r\nlast line\r\n";

    @Test(timeout = 120_000)
    public void mailToTheMxReachesPop3ByteForByteWithTraceHeaders() throws Exception {
        String marker = "mx-" + System.nanoTime();
        String body = BODY.replace("Subject:", "X-Marker: " + marker + "\r\nSubject:");
        try (SmtpClient smtp = connected(smtpPort())) {
            assertEquals(250, smtp.command("EHLO client.example").code());
            assertEquals(220, smtp.startTls().code());
            List<String> ehlo = smtp.command("EHLO client.example").lines();
            assertTrue(ehlo.toString(), ehlo.containsAll(List.of("PIPELINING", "8BITMIME", "SMTPUTF8", "CHUNKING")));
            assertEquals(
                    250,
                    smtp.command("MAIL FROM:<someone@example.org> BODY=8BITMIME")
                            .code());
            assertEquals(250, smtp.command("RCPT TO:<demo@localhost>").code());
            SmtpClient.Reply queued = smtp.data(body);
            assertEquals(queued.toString(), 250, queued.code());
            assertTrue(queued.text(), queued.text().startsWith("2.0.0 Ok: queued as "));
            assertEquals(221, smtp.command("QUIT").code());
        }
        String retrieved = retrieveByMarker("demo", "demo", marker);
        assertTrue(
                retrieved,
                retrieved.startsWith("Return-Path: <someone@example.org>\r\nDelivered-To: demo@localhost\r\n"
                        + "Received: from client.example (unknown [127.0.0.1])\r\n\t(using TLSv1."));
        assertTrue(retrieved, retrieved.contains("\tby " + TEST_DOMAIN + " (Mailroom) with ESMTPS id "));
        assertTrue(retrieved, retrieved.contains("\tfor <demo@localhost>; "));
        assertTrue("the body, unchanged:\n" + retrieved, retrieved.endsWith("\r\n" + body));
    }

    @Test(timeout = 120_000)
    public void submissionAuthenticatesOverStarttlsAndOverSmtps() throws Exception {
        String plain = Base64.getEncoder().encodeToString("\0demo\0demo".getBytes(UTF_8));
        for (boolean implicit : new boolean[] {false, true}) {
            String marker = "submission-" + implicit + "-" + System.nanoTime();
            try (SmtpClient smtp = implicit
                    ? SmtpClient.connectTls(LOCALHOST, smtpsPort(), TIMEOUT)
                    : SmtpClient.connect(LOCALHOST, submissionPort(), TIMEOUT)) {
                assertEquals(220, smtp.reply().code());
                if (!implicit) {
                    assertTrue(
                            "no AUTH before TLS",
                            smtp.command("EHLO c").lines().stream().noneMatch(l -> l.startsWith("AUTH")));
                    assertEquals(530, smtp.command("MAIL FROM:<demo@localhost>").code());
                    assertEquals(220, smtp.startTls().code());
                }
                assertTrue(smtp.command("EHLO c").lines().contains("AUTH LOGIN PLAIN")
                        || smtp.command("EHLO c").lines().stream().anyMatch(l -> l.startsWith("AUTH ")));
                assertEquals(235, smtp.command("AUTH PLAIN " + plain).code());
                assertEquals(
                        553, smtp.command("MAIL FROM:<someone@example.org>").code());
                assertEquals(250, smtp.command("MAIL FROM:<demo@localhost>").code());
                assertEquals(550, smtp.command("RCPT TO:<friend@example.org>").code());
                assertEquals(
                        250, smtp.command("RCPT TO:<demo@" + TEST_DOMAIN + ">").code());
                assertEquals(
                        250,
                        smtp.data("Subject: " + marker + "\r\n\r\nhello\r\n").code());
            }
            String retrieved = retrieveByMarker("demo", "demo", marker);
            assertTrue(retrieved, retrieved.contains("\t(Authenticated sender: demo)\r\n"));
            assertTrue(retrieved, retrieved.contains(" with ESMTPSA id "));
        }
    }

    @Test(timeout = 120_000)
    public void lmtpRepliesPerRecipientAndRefusesUnknownOnes() throws Exception {
        UserDirectory users = getOsgiService(UserDirectory.class);
        if (!users.exists("lmtpuser")) {
            users.add("lmtpuser", "lmtp-password");
        }
        String marker = "lmtp-" + System.nanoTime();
        try (SmtpClient lmtp = connected(lmtpPort())) {
            assertEquals(250, lmtp.command("LHLO mta.example").code());
            assertEquals(250, lmtp.command("MAIL FROM:<>").code());
            assertEquals(250, lmtp.command("RCPT TO:<demo@localhost>").code());
            assertEquals(550, lmtp.command("RCPT TO:<nobody@localhost>").code());
            assertEquals(
                    250,
                    lmtp.command("RCPT TO:<lmtpuser+tag@" + TEST_DOMAIN + ">").code());
            SmtpClient.Reply first = lmtp.data("Subject: " + marker + "\r\n\r\nto two\r\n");
            SmtpClient.Reply second = lmtp.reply();
            assertTrue(first.toString(), first.text().startsWith("2.1.5 <demo@localhost> Ok: queued as "));
            assertTrue(second.toString(), second.text().startsWith("2.1.5 <lmtpuser+tag@" + TEST_DOMAIN + "> Ok"));
        }
        assertTrue(retrieveByMarker("demo", "demo", marker).startsWith("Return-Path: <>\r\n"));
        String tagged = retrieveByMarker("lmtpuser", "lmtp-password", marker);
        assertTrue(tagged, tagged.contains("X-Original-To: lmtpuser+tag@" + TEST_DOMAIN + "\r\n"));
        assertTrue(tagged, tagged.contains(" with LMTP id "));
    }

    @Test(timeout = 120_000)
    public void bdatChunksAndSmugglingAttemptsOverTheWire() throws Exception {
        String marker = "bdat-" + System.nanoTime();
        String message = "Subject: " + marker + "\r\n\r\nline\r\n.\r\nnot the end\r\n";
        try (SmtpClient smtp = connected(smtpPort())) {
            smtp.command("EHLO c");
            smtp.command("MAIL FROM:<someone@example.org>");
            smtp.command("RCPT TO:<demo@localhost>");
            smtp.write(("BDAT 10\r\n" + message.substring(0, 10) + "BDAT " + (message.length() - 10) + " LAST\r\n"
                            + message.substring(10))
                    .getBytes(UTF_8));
            assertEquals(250, smtp.reply().code());
            assertEquals(250, smtp.reply().code());

            smtp.command("MAIL FROM:<someone@example.org>");
            smtp.command("RCPT TO:<demo@localhost>");
            assertEquals(354, smtp.command("DATA").code());
            smtp.write(("Subject: smuggler\r\n\r\nx\n.\nMAIL FROM:<evil@example.org>\nRCPT TO:<demo@localhost>\n"
                            + "DATA\nSubject: smuggled\n\nevil\n.\r\n.\r\n")
                    .getBytes(UTF_8));
            SmtpClient.Reply refused = smtp.reply();
            assertEquals(refused.toString(), 550, refused.code());
            assertEquals(250, smtp.command("NOOP").code());
        }
        assertTrue(retrieveByMarker("demo", "demo", marker).endsWith("\r\n" + message));
        try (Pop3Client pop3 = pop3Login("demo", "demo")) {
            for (String line : pop3.multiLine("UIDL").lines()) {
                String n = line.split(" ")[0];
                String content =
                        String.join("\n", pop3.multiLine("TOP " + n + " 0").lines());
                assertTrue("no smuggled message: " + content, !content.contains("Subject: smuggled"));
            }
        }
    }

    // ---- helpers

    private SmtpClient connected(int port) throws Exception {
        Poll.until("port " + port + " accepting", TIMEOUT, () -> accepts(port));
        SmtpClient client = SmtpClient.connect(LOCALHOST, port, TIMEOUT);
        assertEquals(220, client.reply().code());
        return client;
    }

    private Pop3Client pop3Login(String user, String password) throws Exception {
        Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT);
        pop3.readGreeting();
        assertTrue(pop3.stls().ok());
        assertTrue(pop3.command("USER " + user).ok());
        assertTrue(pop3.command("PASS " + password).ok());
        return pop3;
    }

    /** The message (as RETR gives it, CRLF-joined) whose content contains the marker, once delivered. */
    private String retrieveByMarker(String user, String password, String marker) throws Exception {
        String[] found = new String[1];
        Poll.until(marker + " delivered to " + user, TIMEOUT, () -> {
            try (Pop3Client pop3 = pop3Login(user, password)) {
                Pop3Client.Response list = pop3.multiLine("LIST");
                for (String line : list.lines()) {
                    List<String> lines =
                            pop3.multiLine("RETR " + line.split(" ")[0]).lines();
                    String message = String.join("\r\n", lines) + "\r\n";
                    if (message.contains(marker)) {
                        found[0] = message;
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return found[0];
    }
}
