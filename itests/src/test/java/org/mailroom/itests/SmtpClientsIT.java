package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.testing.FreePorts;
import org.mailroom.testing.Poll;
import org.mailroom.testing.RequiredTool;
import org.mailroom.testing.SmtpClient;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.Option;

/**
 * The distribution's SMTP, submission, SMTPS and LMTP listeners driven by real clients of
 * Debian: swaks (plain, STARTTLS, pipelining, AUTH LOGIN and PLAIN, implicit TLS), msmtp (with
 * the generated certificate verified, host name included) and Postfix (a private instance started
 * by the test, delivering over LMTP), each message read back over POP3 with curl and compared
 * byte for byte with what the client sent, below the trace headers. The SMTP edge cases no real
 * client produces (bare line ends, smuggling, oversize data, pipelined RCPTs, BDAT) are written
 * with the kit's raw-socket {@link SmtpClient}; Debian's swaks (20201014) has no CHUNKING/BDAT.
 *
 * <p>Every message carries a unique marker, so the tests do not depend on each other's order.
 */
@RunWith(ToolsInstalled.class)
@ToolsInstalled.Require(
        tools = {"swaks", "msmtp", "curl", "postfix", "postqueue"},
        packages = {"swaks", "msmtp", "curl", "postfix"})
public class SmtpClientsIT extends MailroomTestSupport {

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);
    /** Smaller than the default, so that the oversize test sends little. */
    private static final int MAX_MESSAGE_SIZE = 65536;

    private static final String SENDER = "sender@example.org";
    private static final Set<String> TRACE = Set.of("Return-Path", "X-Original-To", "Delivered-To", "Received");

    @Override
    protected Option[] additionalOptions() {
        return new Option[] {
            editConfigurationFilePut("etc/org.mailroom.smtp.cfg", "maxMessageSize", Integer.toString(MAX_MESSAGE_SIZE))
        };
    }

    /** A message in wire form (CRLF) with what clients must pass through unchanged: dots, 8bit UTF-8, spaces. */
    private static byte[] message(String marker, String to) {
        return crlf("From: Sender <" + SENDER + ">\n"
                + "To: <" + to + ">\n"
                + "Subject: " + marker + "\n"
                + "Date: Wed, 02 Dec 2026 12:00:00 +0000\n"
                + "Message-ID: <" + marker + "@example.org>\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=UTF-8\n"
                + "Content-Transfer-Encoding: 8bit\n"
                + "X-Folded: first part\n"
                + "\tsecond part\n"
                + "\n"
                + "Grüße, 日本語, ✓\n"
                + ".a line starting with a dot\n"
                + "..two dots\n"
                + ".\n"
                + "From the start of a line\n"
                + "  leading spaces, a\ttab, trailing spaces  \n"
                + "\n"
                + "last line, " + marker + "\n");
    }

    // ---- 1. swaks to the MX ----

    @Test(timeout = 180_000)
    public void swaksToTheMxPlainStarttlsAndPipelinedArrivesByteForByte() throws Exception {
        for (String mode : new String[] {"plain", "tls", "pipeline", "tls+pipeline"}) {
            String marker = "swaks-mx-" + mode + "-" + System.nanoTime();
            byte[] sent = message(marker, "demo@localhost");
            Path dir = tempDir("swaks-mx");
            List<String> command = swaks(smtpPort(), "demo@localhost", SENDER, swaksData(dir, sent));
            if (mode.contains("tls")) {
                command.add("--tls");
            }
            if (mode.contains("pipeline")) {
                command.add("--pipeline");
            }
            Run run = run(dir, null, command);
            assertEquals("swaks " + mode + " exit code:\n" + run.all(), 0, run.exit());
            String log = run.stdout();
            assertTrue("swaks " + mode + " queued:\n" + log, find(log, "^<[~-]  250 2\\.0\\.0 Ok: queued as "));
            assertEquals("swaks " + mode + " STARTTLS:\n" + log, mode.contains("tls"), log.contains("-> STARTTLS"));
            if (mode.contains("pipeline")) {
                assertTrue(
                        "swaks " + mode + " sent MAIL, RCPT and DATA before reading a reply:\n" + log,
                        find(
                                log,
                                "^ ?[~-]> MAIL FROM:<" + Pattern.quote(SENDER)
                                        + ">\\r?\\n ?[~-]> RCPT TO:<demo@localhost>" + "\\r?\\n ?[~-]> DATA\\r?\\n"));
            }
            byte[] got = curlRetrieve("demo", "demo", marker);
            String trace = assertTraceThenExactly("swaks " + mode, got, sent, 1);
            assertTrue(
                    trace, trace.contains(" (Mailroom) with " + (mode.contains("tls") ? "ESMTPS" : "ESMTP") + " id "));
            assertTrue(
                    trace,
                    trace.contains("Received: from client.example (localhost [127.0.0.1])")
                            || trace.contains("Received: from client.example (unknown [127.0.0.1])"));
            assertTrue(trace, trace.contains("\tfor <demo@localhost>; "));
        }
    }

    // ---- 2. swaks to submission and SMTPS ----

    @Test(timeout = 180_000)
    public void swaksSubmitsWithAuthLoginAndPlainOverStarttlsAndImplicitTls() throws Exception {
        record Mode(String name, int port, String tls, String auth) {}
        for (Mode mode : List.of(
                new Mode("submission STARTTLS LOGIN", submissionPort(), "--tls", "LOGIN"),
                new Mode("submission STARTTLS PLAIN", submissionPort(), "--tls", "PLAIN"),
                new Mode("SMTPS PLAIN", smtpsPort(), "--tlsc", "PLAIN"),
                new Mode("SMTPS LOGIN", smtpsPort(), "--tlsc", "LOGIN"))) {
            String marker = "swaks-submit-" + mode.auth() + "-" + mode.port() + "-" + System.nanoTime();
            byte[] sent = message(marker, "demo@" + TEST_DOMAIN);
            Path dir = tempDir("swaks-submit");
            List<String> command = swaks(mode.port(), "demo@" + TEST_DOMAIN, "demo@localhost", swaksData(dir, sent));
            command.addAll(List.of(
                    mode.tls(), "--auth", mode.auth(), "--auth-user", DEMO_USER, "--auth-password", DEMO_PASSWORD));
            Run run = run(dir, null, command);
            assertEquals("swaks " + mode.name() + ":\n" + run.all(), 0, run.exit());
            String log = run.stdout();
            assertTrue(mode.name() + " authenticated:\n" + log, find(log, "^<~  235 2\\.7\\.0 "));
            assertTrue(mode.name() + " queued:\n" + log, find(log, "^<~  250 2\\.0\\.0 Ok: queued as "));
            if (mode.tls().equals("--tlsc")) {
                assertFalse(mode.name() + " no plain-text reply lines:\n" + log, find(log, "^<-  "));
            }
            String trace =
                    assertTraceThenExactly("swaks " + mode.name(), curlRetrieve("demo", "demo", marker), sent, 1);
            assertTrue(trace, trace.contains("\t(Authenticated sender: demo)\r\n"));
            assertTrue(trace, trace.contains(" (Mailroom) with ESMTPSA id "));
        }
    }

    @Test(timeout = 120_000)
    public void swaksSubmissionRefusesAWrongPasswordAndOffersNoAuthBeforeStarttls() throws Exception {
        Path dir = tempDir("swaks-refused");
        String marker = "swaks-wrong-" + System.nanoTime();
        Path file = swaksData(dir, message(marker, "demo@localhost"));

        // Before STARTTLS: EHLO lists no AUTH, and swaks finds none to use.
        List<String> ehloOnly = swaks(submissionPort(), "demo@localhost", "demo@localhost", file);
        ehloOnly.addAll(List.of("--quit-after", "EHLO"));
        Run plain = run(dir, null, ehloOnly);
        assertEquals(plain.all(), 0, plain.exit());
        assertTrue(plain.stdout(), find(plain.stdout(), "^<-  250[ -]PIPELINING"));
        assertTrue(plain.stdout(), find(plain.stdout(), "^<-  250[ -]STARTTLS"));
        assertFalse("AUTH offered before STARTTLS:\n" + plain.stdout(), find(plain.stdout(), "^<-  250[ -]AUTH"));

        List<String> authWithoutTls = swaks(submissionPort(), "demo@localhost", "demo@localhost", file);
        authWithoutTls.addAll(List.of("--auth", "PLAIN", "--auth-user", DEMO_USER, "--auth-password", DEMO_PASSWORD));
        Run noTls = run(dir, null, authWithoutTls);
        assertEquals("swaks exit 28 (AUTH) without TLS:\n" + noTls.all(), 28, noTls.exit());
        assertFalse(
                "credentials sent in clear:\n" + noTls.stdout(), noTls.stdout().contains("-> AUTH"));

        // After STARTTLS: AUTH is offered (the control for the check above).
        List<String> afterTls = swaks(submissionPort(), "demo@localhost", "demo@localhost", file);
        afterTls.addAll(List.of("--tls", "--quit-after", "HELO"));
        Run tls = run(dir, null, afterTls);
        assertEquals(tls.all(), 0, tls.exit());
        assertTrue("AUTH after STARTTLS:\n" + tls.stdout(), find(tls.stdout(), "^<~  250[ -]AUTH .*PLAIN"));

        // A wrong password: 535 5.7.8, over STARTTLS and over SMTPS.
        for (String[] way : new String[][] {{"--tls", "" + submissionPort()}, {"--tlsc", "" + smtpsPort()}}) {
            List<String> wrong = swaks(Integer.parseInt(way[1]), "demo@localhost", "demo@localhost", file);
            wrong.addAll(List.of(way[0], "--auth", "PLAIN", "--auth-user", DEMO_USER, "--auth-password", "wrong"));
            Run refused = run(dir, null, wrong);
            assertEquals(
                    "swaks exit 28 (AUTH) for a wrong password " + way[0] + ":\n" + refused.all(), 28, refused.exit());
            assertTrue(refused.stdout(), find(refused.stdout(), "^<~\\* 535 5\\.7\\.8 "));
            assertFalse(refused.stdout(), refused.stdout().contains("MAIL FROM"));
        }
        assertNoMessageContains("demo", marker);
    }

    // ---- 3. msmtp, certificate verified ----

    @Test(timeout = 180_000)
    public void msmtpVerifiesTheCertificateOnEveryListenerAndDeliversByteForByte() throws Exception {
        Path cert = certificate();
        Path dir = tempDir("msmtp");
        Path rc = writePrivate(
                dir.resolve("msmtprc"),
                String.join(
                        "\n",
                        "defaults",
                        "domain client.example",
                        "tls on",
                        "tls_trust_file " + cert,
                        "tls_certcheck on",
                        "set_from_header off",
                        "set_date_header off",
                        "set_msgid_header off",
                        "undisclosed_recipients off",
                        "timeout 30",
                        "",
                        "account mx",
                        "host " + LOCALHOST,
                        "port " + smtpPort(),
                        "tls_starttls on",
                        "auth off",
                        "from " + SENDER,
                        "",
                        "account submission",
                        "host " + LOCALHOST,
                        "port " + submissionPort(),
                        "tls_starttls on",
                        "auth on",
                        "user " + DEMO_USER,
                        "password " + DEMO_PASSWORD,
                        "from demo@localhost",
                        "",
                        // the certificate's DNS name this time (it names localhost and 127.0.0.1)
                        "account smtps",
                        "host localhost",
                        "port " + smtpsPort(),
                        "tls_starttls off",
                        "auth on",
                        "user " + DEMO_USER,
                        "password " + DEMO_PASSWORD,
                        "from demo@localhost",
                        ""));
        for (String account : new String[] {"mx", "submission", "smtps"}) {
            String marker = "msmtp-" + account + "-" + System.nanoTime();
            byte[] sent = message(marker, "demo@" + TEST_DOMAIN);
            // msmtp is a sendmail: it reads LF lines (as a MUA writes them) and sends CRLF.
            Path input = dir.resolve(account + ".eml");
            Files.write(input, crlfToLf(sent));
            Run run = run(
                    dir,
                    input,
                    List.of(tool("msmtp"), "-C", rc.toString(), "-a", account, "-d", "demo@" + TEST_DOMAIN));
            assertEquals("msmtp " + account + ":\n" + run.all(), 0, run.exit());
            String log = run.all();
            assertEquals(
                    "msmtp " + account + " STARTTLS:\n" + log, !account.equals("smtps"), log.contains("--> STARTTLS"));
            assertEquals("msmtp " + account + " AUTH:\n" + log, !account.equals("mx"), log.contains("--> AUTH "));
            assertTrue("msmtp " + account + " queued:\n" + log, log.contains("<-- 250 2.0.0 Ok: queued as "));
            String trace = assertTraceThenExactly("msmtp " + account, curlRetrieve("demo", "demo", marker), sent, 1);
            assertTrue(trace, trace.contains(account.equals("mx") ? " with ESMTPS id " : " with ESMTPSA id "));
        }

        // The check is real: a certificate that is not the server's is refused before any mail is sent.
        Path other = dir.resolve("other.crt");
        Files.writeString(other, OTHER_CERTIFICATE, UTF_8);
        Path otherRc = writePrivate(
                dir.resolve("msmtprc-other"),
                Files.readString(rc, UTF_8).replace("tls_trust_file " + cert, "tls_trust_file " + other));
        Path input = dir.resolve("untrusted.eml");
        String marker = "msmtp-untrusted-" + System.nanoTime();
        Files.write(input, crlfToLf(message(marker, "demo@" + TEST_DOMAIN)));
        Run untrusted =
                run(dir, input, List.of(tool("msmtp"), "-C", otherRc.toString(), "-a", "mx", "demo@" + TEST_DOMAIN));
        assertTrue("msmtp trusted a certificate it was not given:\n" + untrusted.all(), untrusted.exit() != 0);
        assertTrue(untrusted.all(), untrusted.all().contains("TLS certificate verification failed"));

        // And so is the host name check: the right certificate, checked against a name it does not have.
        Run wrongName = run(
                dir,
                input,
                List.of(
                        tool("msmtp"),
                        "-C",
                        rc.toString(),
                        "-a",
                        "mx",
                        "--tls-host-override=mail.other.example",
                        "demo@" + TEST_DOMAIN));
        assertTrue("msmtp accepted a certificate for another name:\n" + wrongName.all(), wrongName.exit() != 0);
        assertTrue(wrongName.all(), wrongName.all().contains("does not match"));
        assertNoMessageContains("demo", marker);
    }

    // ---- 4. edge cases over a raw socket ----

    @Test(timeout = 120_000)
    public void bareLineEndsAreRefusedWith550AndTheSessionStaysUsable() throws Exception {
        String bad = "bare-" + System.nanoTime();
        String good = "after-bare-" + System.nanoTime();
        try (SmtpClient smtp = connected(smtpPort())) {
            assertEquals(250, smtp.command("EHLO client.example").code());
            for (String lineEnd : new String[] {"\n", "\r"}) {
                envelope(smtp, "demo@localhost");
                assertEquals(354, smtp.command("DATA").code());
                smtp.write(("Subject: " + bad + "\r\n\r\nline one" + lineEnd + "line two\r\n.\r\n").getBytes(UTF_8));
                SmtpClient.Reply refused = smtp.reply();
                assertEquals(refused.toString(), 550, refused.code());
                assertTrue(refused.toString(), refused.text().startsWith("5.6.0 "));
                assertEquals(250, smtp.command("NOOP").code());
            }
            envelope(smtp, "demo@localhost");
            SmtpClient.Reply queued = smtp.data("Subject: " + good + "\r\n\r\nfine\r\n");
            assertEquals(queued.toString(), 250, queued.code());
        }
        waitForMessage("demo", good);
        assertNoMessageContains("demo", bad);
    }

    @Test(timeout = 120_000)
    public void lfDotLfAndOtherSmugglingDoNotEndTheData() throws Exception {
        String good = "after-smuggling-" + System.nanoTime();
        List<String> smuggled = new ArrayList<>();
        try (SmtpClient smtp = connected(smtpPort())) {
            assertEquals(250, smtp.command("EHLO client.example").code());
            for (String end : new String[] {"\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r"}) {
                String marker = "smuggled-" + smuggled.size() + "-" + System.nanoTime();
                smuggled.add(marker);
                envelope(smtp, "demo@localhost");
                assertEquals(354, smtp.command("DATA").code());
                smtp.write(("Subject: carrier\r\n\r\nbefore" + end + "MAIL FROM:<evil@example.org>\r\n"
                                + "RCPT TO:<demo@localhost>\r\nDATA\r\nSubject: " + marker + "\r\n\r\nevil\r\n.\r\n")
                        .getBytes(UTF_8));
                SmtpClient.Reply refused = smtp.reply();
                assertEquals("one reply for the whole message, " + escape(end) + ": " + refused, 550, refused.code());
                assertTrue(refused.toString(), refused.text().startsWith("5.6.0 "));
                // In step: the next reply is the EHLO's, not one to a smuggled command.
                List<String> ehlo = smtp.command("EHLO client.example").lines();
                assertTrue("in step after " + escape(end) + ": " + ehlo, ehlo.contains("PIPELINING"));
            }
            envelope(smtp, "demo@localhost");
            assertEquals(250, smtp.data("Subject: " + good + "\r\n\r\nfine\r\n").code());
        }
        waitForMessage("demo", good);
        for (String marker : smuggled) {
            assertNoMessageContains("demo", marker);
        }
        assertNoMessageContains("demo", "Subject: carrier");
    }

    @Test(timeout = 120_000)
    public void oversizeMessagesAreRefusedWith552AndNothingIsDelivered() throws Exception {
        String big = "oversize-" + System.nanoTime();
        String good = "after-oversize-" + System.nanoTime();
        StringBuilder body = new StringBuilder("Subject: " + big + "\r\n\r\n");
        while (body.length() <= MAX_MESSAGE_SIZE + 100) {
            body.append("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n");
        }
        String message = body.toString();
        try (SmtpClient smtp = connected(smtpPort())) {
            List<String> ehlo = smtp.command("EHLO client.example").lines();
            assertTrue(ehlo.toString(), ehlo.contains("SIZE " + MAX_MESSAGE_SIZE));

            SmtpClient.Reply declared = smtp.command("MAIL FROM:<" + SENDER + "> SIZE=" + message.length());
            assertEquals(declared.toString(), 552, declared.code());
            assertTrue(declared.toString(), declared.text().startsWith("5.3.4 "));

            envelope(smtp, "demo@localhost");
            SmtpClient.Reply data = smtp.data(message);
            assertEquals(data.toString(), 552, data.code());
            assertTrue(data.toString(), data.text().startsWith("5.3.4 "));
            assertEquals(250, smtp.command("NOOP").code());

            // BDAT: the server reads every chunk it announced, so the session stays in step.
            envelope(smtp, "demo@localhost");
            byte[] octets = message.getBytes(UTF_8);
            int half = octets.length / 2;
            smtp.write(concat(
                    ("BDAT " + half + "\r\n").getBytes(UTF_8),
                    Arrays.copyOfRange(octets, 0, half),
                    ("BDAT " + (octets.length - half) + " LAST\r\n").getBytes(UTF_8),
                    Arrays.copyOfRange(octets, half, octets.length)));
            SmtpClient.Reply first = smtp.reply();
            SmtpClient.Reply last = smtp.reply();
            assertTrue(first.toString(), first.code() == 250 || first.code() == 552);
            assertEquals(last.toString(), 552, last.code());
            assertTrue(last.toString(), last.text().startsWith("5.3.4 "));
            List<String> again = smtp.command("EHLO client.example").lines();
            assertTrue("in step after BDAT: " + again, again.contains("PIPELINING"));

            envelope(smtp, "demo@localhost");
            assertEquals(
                    250, smtp.data("Subject: " + good + "\r\n\r\nsmall\r\n").code());
        }

        // swaks sees the same refusal: exit 26, server did not accept mail following data.
        Path dir = tempDir("swaks-oversize");
        String swaksBig = "oversize-swaks-" + System.nanoTime();
        Run run = run(
                dir,
                null,
                swaks(
                        smtpPort(),
                        "demo@localhost",
                        SENDER,
                        swaksData(dir, message.replace(big, swaksBig).getBytes(UTF_8))));
        assertEquals("swaks exit 26 for an oversize message:\n" + run.all(), 26, run.exit());
        assertTrue(run.stdout(), find(run.stdout(), "^<\\*\\* 552 5\\.3\\.4 "));

        waitForMessage("demo", good);
        assertNoMessageContains("demo", big);
        assertNoMessageContains("demo", swaksBig);
    }

    @Test(timeout = 120_000)
    public void pipelinedRecipientsGetTheirRepliesInOrderAndTheKnownOnesTheMessage() throws Exception {
        String other = "smtprcpt";
        String otherPassword = "Rcpt-" + System.nanoTime();
        UserDirectory users = getOsgiService(UserDirectory.class);
        if (users.exists(other)) {
            users.setPassword(other, otherPassword);
        } else {
            users.add(other, otherPassword);
        }
        String marker = "pipelined-" + System.nanoTime();
        byte[] sent = message(marker, "demo@localhost");
        try (SmtpClient smtp = connected(smtpPort())) {
            assertTrue(smtp.command("EHLO client.example").lines().contains("PIPELINING"));
            smtp.write(("MAIL FROM:<" + SENDER + ">\r\nRCPT TO:<demo@localhost>\r\nRCPT TO:<nobody@localhost>\r\n"
                            + "RCPT TO:<" + other + "@" + TEST_DOMAIN + ">\r\nDATA\r\n")
                    .getBytes(UTF_8));
            List<SmtpClient.Reply> replies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                replies.add(smtp.reply());
            }
            assertEquals(
                    replies.toString(),
                    List.of(250, 250, 550, 250, 354),
                    replies.stream().map(SmtpClient.Reply::code).toList());
            assertTrue(replies.toString(), replies.get(2).text().startsWith("5.1.1 "));
            smtp.write(concat(dotStuff(sent), ".\r\n".getBytes(UTF_8)));
            SmtpClient.Reply queued = smtp.reply();
            assertEquals(queued.toString(), 250, queued.code());
        }
        String demoTrace = assertTraceThenExactly("pipelined, demo", curlRetrieve("demo", "demo", marker), sent, 1);
        assertTrue(demoTrace, demoTrace.contains("Delivered-To: demo@localhost\r\n"));
        String otherTrace =
                assertTraceThenExactly("pipelined, " + other, curlRetrieve(other, otherPassword, marker), sent, 1);
        assertTrue(otherTrace, otherTrace.contains("Delivered-To: " + other + "@" + TEST_DOMAIN + "\r\n"));
    }

    @Test(timeout = 120_000)
    public void bdatChunksEndedByBdatZeroLastArriveByteForByte() throws Exception {
        String marker = "bdat-" + System.nanoTime();
        byte[] sent = message(marker, "demo@localhost");
        // chunks cut inside a CRLF and right after the line holding a single dot
        int dotLine = indexOf(sent, "\r\n.\r\n".getBytes(UTF_8)) + 4;
        int[] cuts = {0, 17, indexOf(sent, "\r\n".getBytes(UTF_8)) + 1, dotLine, dotLine + 1, sent.length};
        Arrays.sort(cuts);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int chunks = 0;
        for (int i = 0; i + 1 < cuts.length; i++) {
            if (cuts[i + 1] > cuts[i]) {
                wire.write(("BDAT " + (cuts[i + 1] - cuts[i]) + "\r\n").getBytes(UTF_8));
                wire.write(sent, cuts[i], cuts[i + 1] - cuts[i]);
                chunks++;
            }
        }
        wire.write("BDAT 0 LAST\r\n".getBytes(UTF_8));
        try (SmtpClient smtp = connected(smtpPort())) {
            assertTrue(smtp.command("EHLO client.example").lines().contains("CHUNKING"));
            envelope(smtp, "demo@localhost");
            smtp.write(wire.toByteArray());
            for (int i = 0; i < chunks; i++) {
                SmtpClient.Reply chunk = smtp.reply();
                assertEquals("chunk " + (i + 1) + ": " + chunk, 250, chunk.code());
            }
            SmtpClient.Reply queued = smtp.reply();
            assertEquals(queued.toString(), 250, queued.code());
            assertTrue(queued.toString(), queued.text().startsWith("2.0.0 Ok: queued as "));

            // BDAT 0 LAST as the only chunk: an empty message (RFC 3030 allows it), queued; the session stays in step.
            envelope(smtp, "demo@localhost");
            SmtpClient.Reply empty = smtp.command("BDAT 0 LAST");
            assertEquals(empty.toString(), 250, empty.code());
            assertTrue(empty.toString(), empty.text().startsWith("2.0.0 Ok: queued as "));
            List<String> ehlo = smtp.command("EHLO client.example").lines();
            assertTrue("in step after an empty BDAT: " + ehlo, ehlo.contains("CHUNKING"));
        }
        String trace = assertTraceThenExactly("BDAT", curlRetrieve("demo", "demo", marker), sent, 1);
        assertTrue(trace, trace.contains(" with ESMTP id "));
    }

    // ---- 5. Postfix in front, delivering over LMTP ----

    @Test(timeout = 180_000)
    public void postfixInFrontDeliversOverLmtp() throws Exception {
        Path dir = tempDir("postfix");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        // Postfix's programs connect to sockets under the queue directory by absolute path, and a
        // Unix socket's path has at most 107 octets: the queue is reached through a short link.
        Path queue = Files.createSymbolicLink(
                Path.of(System.getProperty("java.io.tmpdir"), "mailroom-postfix-" + System.nanoTime()),
                Files.createDirectories(dir.resolve("queue")));
        Path data = Files.createDirectories(dir.resolve("data"));
        UserPrincipalLookupService principals = data.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(data, principals.lookupPrincipalByName("postfix"));
        int port = FreePorts.one();
        Files.writeString(conf.resolve("main.cf"), postfixMainCf(dir, queue, data), UTF_8);
        Files.writeString(conf.resolve("master.cf"), postfixMasterCf(port), UTF_8);

        String postfix = tool("postfix");
        Run check = run(dir, null, List.of(postfix, "-c", conf.toString(), "check"));
        assertEquals("postfix check:\n" + check.all() + maillog(dir), 0, check.exit());
        Run start = run(dir, null, List.of(postfix, "-c", conf.toString(), "start"));
        assertEquals("postfix start:\n" + start.all() + maillog(dir), 0, start.exit());
        try {
            Poll.until("the private Postfix's smtpd on port " + port, TIMEOUT, () -> accepts(port));
            String marker = "postfix-" + System.nanoTime();
            byte[] sent = message(marker, "demo@" + TEST_DOMAIN);
            Run swaks = run(dir, null, swaks(port, "demo@" + TEST_DOMAIN, SENDER, swaksData(dir, sent)));
            assertEquals("swaks to Postfix:\n" + swaks.all() + maillog(dir), 0, swaks.exit());
            assertTrue(swaks.stdout(), find(swaks.stdout(), "^<-  250 2\\.0\\.0 Ok: queued as "));

            byte[] got;
            try {
                got = curlRetrieve("demo", "demo", marker);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nPostfix log:\n" + maillog(dir), e);
            }
            String trace = assertTraceThenExactly("Postfix, then LMTP", got, sent, 2);
            List<String> received = receivedHeaders(trace);
            assertTrue(trace, received.get(0).contains(" (Mailroom) with LMTP id "));
            assertTrue(trace, received.get(0).startsWith("Received: from " + POSTFIX_HOSTNAME + " "));
            assertTrue(trace, received.get(1).contains("\tby " + POSTFIX_HOSTNAME + " (Postfix) with ESMTP id "));
            assertTrue(trace, received.get(1).contains("\tfor <demo@" + TEST_DOMAIN + ">; "));

            // An unknown recipient: Postfix probes Mailroom over LMTP and refuses it at RCPT time.
            Run unknown = run(
                    dir,
                    null,
                    swaks(
                            port,
                            "nobody@" + TEST_DOMAIN,
                            SENDER,
                            swaksData(dir, message("unknown", "nobody@" + TEST_DOMAIN))));
            assertEquals("swaks exit 24 (no RCPT accepted):\n" + unknown.all() + maillog(dir), 24, unknown.exit());
            assertTrue(
                    unknown.stdout(),
                    find(
                            unknown.stdout(),
                            "^<\\*\\* 550 5\\.1\\.1 <nobody@" + Pattern.quote(TEST_DOMAIN)
                                    + ">: Recipient address rejected: undeliverable address: .* said: 550 5\\.1\\.1 "));

            String postqueue = tool("postqueue");
            Poll.until("the private Postfix's queue empty", TIMEOUT, () -> {
                try {
                    return run(dir, null, List.of(postqueue, "-c", conf.toString(), "-p"))
                            .stdout()
                            .contains("Mail queue is empty");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String log = maillog(dir);
            assertTrue(log, find(log, "status=sent \\(250 2\\.1\\.5 <demo@" + Pattern.quote(TEST_DOMAIN) + "> "));
        } finally {
            Run stop = run(dir, null, List.of(postfix, "-c", conf.toString(), "stop"));
            assertEquals("postfix stop:\n" + stop.all(), 0, stop.exit());
            Poll.until("the private Postfix's smtpd closed", TIMEOUT, () -> !accepts(port));
            Files.delete(queue);
        }
    }

    private static final String POSTFIX_HOSTNAME = "postfix.mailroom-itest.example";

    private String postfixMainCf(Path dir, Path queue, Path data) {
        return String.join(
                "\n",
                "compatibility_level = 3.6",
                "queue_directory = " + queue,
                "data_directory = " + data,
                "maillog_file = " + dir.resolve("maillog"),
                "maillog_file_prefixes = " + dir,
                "syslog_name = postfix-mailroom-itest",
                "myhostname = " + POSTFIX_HOSTNAME,
                "inet_interfaces = loopback-only",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "mydestination =",
                "relay_domains =",
                "alias_maps =",
                "alias_database =",
                "local_recipient_maps =",
                "smtp_dns_support_level = disabled",
                "biff = no",
                // the settings README documents for Postfix in front of Mailroom
                "virtual_mailbox_domains = " + TEST_DOMAIN,
                "virtual_transport = lmtp:inet:" + LOCALHOST + ":" + lmtpPort(),
                // unknown recipients refused at RCPT (verified over LMTP), instead of bounced later
                "smtpd_recipient_restrictions = reject_unverified_recipient",
                "unverified_recipient_reject_code = 550",
                "");
    }

    private static String postfixMasterCf(int port) {
        return String.join(
                "\n",
                LOCALHOST + ":" + port + " inet n - n - - smtpd",
                "pickup    unix  n - n 60 1 pickup",
                "cleanup   unix  n - n - 0 cleanup",
                "qmgr      unix  n - n 300 1 qmgr",
                "rewrite   unix  - - n - - trivial-rewrite",
                "bounce    unix  - - n - 0 bounce",
                "defer     unix  - - n - 0 bounce",
                "trace     unix  - - n - 0 bounce",
                "verify    unix  - - n - 1 verify",
                "flush     unix  n - n 1000? 0 flush",
                "proxymap  unix  - - n - - proxymap",
                "smtp      unix  - - n - - smtp",
                "relay     unix  - - n - - smtp",
                "showq     unix  n - n - - showq",
                "error     unix  - - n - - error",
                "retry     unix  - - n - - error",
                "discard   unix  - - n - - discard",
                "lmtp      unix  - - n - - lmtp",
                "anvil     unix  - - n - 1 anvil",
                "scache    unix  - - n - 1 scache",
                "postlog   unix-dgram n - n - 1 postlogd",
                "");
    }

    private static String maillog(Path dir) throws IOException {
        Path log = dir.resolve("maillog");
        return Files.exists(log) ? "\n--- " + log + ":\n" + Files.readString(log, UTF_8) : "\n(no " + log + ")";
    }

    private static List<String> receivedHeaders(String trace) {
        List<String> result = new ArrayList<>();
        for (String field : trace.split("\r\n(?=[^ \t])")) {
            if (field.startsWith("Received:")) {
                result.add(field);
            }
        }
        return result;
    }

    // ---- clients ----

    private List<String> swaks(int port, String to, String from, Path data) {
        return new ArrayList<>(List.of(
                tool("swaks"),
                "--server",
                LOCALHOST,
                "--port",
                Integer.toString(port),
                "--ehlo",
                "client.example",
                "--from",
                from,
                "--to",
                to,
                "--data",
                "@" + data,
                "--timeout",
                "30"));
    }

    /** The message with this marker, retrieved with curl over POP3 with STLS (its number from the store's order). */
    private byte[] curlRetrieve(String user, String password, String marker) throws Exception {
        int n = waitForMessage(user, marker);
        Path dir = tempDir("curl");
        Path out = dir.resolve("message");
        Run run = run(
                dir,
                null,
                List.of(
                        tool("curl"),
                        "-sS",
                        "-k",
                        "--ssl-reqd",
                        "pop3://" + LOCALHOST + ":" + pop3Port() + "/" + n,
                        "-u",
                        user + ":" + password,
                        "-o",
                        out.toString()));
        assertEquals("curl RETR " + n + ":\n" + run.all(), 0, run.exit());
        byte[] got = Files.readAllBytes(out);
        assertTrue(
                "message " + n + " of " + user + " is the one with " + marker,
                indexOf(got, marker.getBytes(UTF_8)) >= 0);
        return got;
    }

    private static String tool(String name) {
        Path found = RequiredTool.find(name);
        if (found == null) {
            found = RequiredTool.find("/usr/sbin/" + name);
        }
        if (found == null) {
            fail(name + " is not installed (ToolsInstalled checked it in the test JVM)");
        }
        return found.toAbsolutePath().toString();
    }

    private record Run(int exit, String stdout, String stderr) {
        String all() {
            return "exit " + exit + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }
    }

    private static Run run(Path dir, Path stdin, List<String> command) throws Exception {
        Path stdout = Files.createTempFile(dir, "stdout-", ".txt");
        Path stderr = Files.createTempFile(dir, "stderr-", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin == null ? new File("/dev/null") : stdin.toFile()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        // A private HOME keeps the user's ~/.swaksrc, ~/.msmtprc, ~/.curlrc and ~/.netrc out.
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("HOME", dir.toString());
        env.put("TMPDIR", dir.toString());
        env.put("LC_ALL", "C");
        Process process = builder.start();
        if (!process.waitFor(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            fail("timed out after " + CLIENT_TIMEOUT.toSeconds() + " s: " + command + "\n" + Files.readString(stderr));
        }
        return new Run(
                process.exitValue(),
                new String(Files.readAllBytes(stdout), UTF_8),
                new String(Files.readAllBytes(stderr), UTF_8));
    }

    private static boolean find(String text, String regex) {
        return Pattern.compile(regex, Pattern.MULTILINE).matcher(text).find();
    }

    /**
     * The message as swaks's --data file: without its last CRLF, because swaks ends the data with
     * CRLF.CRLF after whatever it is given, so a file ending in a line end would gain an empty line.
     */
    private static Path swaksData(Path dir, byte[] message) throws IOException {
        int length = message.length;
        if (length >= 2 && message[length - 2] == '\r' && message[length - 1] == '\n') {
            length -= 2;
        }
        return Files.write(Files.createTempFile(dir, "message-", ".eml"), Arrays.copyOf(message, length));
    }

    private static Path writePrivate(Path file, String content) throws IOException {
        Files.writeString(file, content, UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private Path tempDir(String prefix) throws IOException {
        Path base =
                Files.createDirectories(dataFolder().resolveSibling(dataFolder().getFileName() + "-smtp-clients"));
        return Files.createTempDirectory(base, prefix + "-");
    }

    private Path certificate() throws InterruptedException {
        Path cert = dataFolder().resolve("tls").resolve("server.crt");
        Poll.until(
                "SMTP listening and " + cert + " written",
                TIMEOUT,
                () -> accepts(smtpPort()) && Files.isRegularFile(cert));
        return cert;
    }

    // ---- server side ----

    private SmtpClient connected(int port) throws Exception {
        Poll.until("port " + port + " accepting", TIMEOUT, () -> accepts(port));
        SmtpClient client = SmtpClient.connect(LOCALHOST, port, TIMEOUT);
        assertEquals(220, client.reply().code());
        return client;
    }

    private static void envelope(SmtpClient smtp, String rcpt) throws IOException {
        SmtpClient.Reply mail = smtp.command("MAIL FROM:<" + SENDER + ">");
        assertEquals(mail.toString(), 250, mail.code());
        SmtpClient.Reply to = smtp.command("RCPT TO:<" + rcpt + ">");
        assertEquals(to.toString(), 250, to.code());
    }

    private MailStore store() {
        return getOsgiService(MailStore.class);
    }

    /** The 1-based number (the store's order, which POP3 follows) of the message containing the marker, once delivered. */
    private int waitForMessage(String user, String marker) throws Exception {
        int[] found = {0};
        Poll.until(marker + " delivered to " + user, TIMEOUT, () -> {
            found[0] = positionOf(user, marker);
            return found[0] > 0;
        });
        return found[0];
    }

    private void assertNoMessageContains(String user, String text) {
        assertEquals("a message of " + user + " contains " + text, 0, positionOf(user, text));
    }

    private int positionOf(String user, String text) {
        try {
            MailStore store = store();
            List<MessageInfo> list = store.list(user);
            byte[] wanted = text.getBytes(UTF_8);
            for (int i = 0; i < list.size(); i++) {
                try (InputStream in = store.open(user, list.get(i).uid())) {
                    if (indexOf(in.readAllBytes(), wanted) >= 0) {
                        return i + 1;
                    }
                }
            }
            return 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Asserts that the retrieved message is the trace headers (Return-Path first, Delivered-To,
     * this many Received, maybe X-Original-To) followed by exactly the sent octets; returns the trace.
     */
    private static String assertTraceThenExactly(String what, byte[] retrieved, byte[] sent, int received) {
        int pos = 0;
        List<String> names = new ArrayList<>();
        while (true) {
            int end = fieldEnd(retrieved, pos);
            int colon = indexOf(Arrays.copyOfRange(retrieved, pos, end), new byte[] {':'});
            if (end < 0 || colon < 0 || !TRACE.contains(new String(retrieved, pos, colon, UTF_8))) {
                break;
            }
            names.add(new String(retrieved, pos, colon, UTF_8));
            pos = end;
        }
        String trace = new String(retrieved, 0, pos, UTF_8);
        assertBytes(
                what + ", after the trace headers " + names + "\n" + trace,
                sent,
                Arrays.copyOfRange(retrieved, pos, retrieved.length));
        assertTrue(
                what + " trace starts with Return-Path: " + names,
                !names.isEmpty() && names.get(0).equals("Return-Path"));
        assertEquals(
                what + " Delivered-To headers: " + names,
                1,
                names.stream().filter("Delivered-To"::equals).count());
        assertEquals(
                what + " Received headers: " + names,
                received,
                names.stream().filter("Received"::equals).count());
        return trace;
    }

    /** The end (after its CRLF) of the header field starting at pos, continuation lines included; -1 if none. */
    private static int fieldEnd(byte[] m, int pos) {
        int i = pos;
        while (true) {
            int crlf = indexOf(Arrays.copyOfRange(m, i, m.length), new byte[] {'\r', '\n'});
            if (crlf < 0) {
                return -1;
            }
            i += crlf + 2;
            if (i >= m.length || (m[i] != ' ' && m[i] != '\t')) {
                return i;
            }
        }
    }

    // ---- bytes ----

    private static byte[] crlf(String lfText) {
        return lfText.replace("\n", "\r\n").getBytes(UTF_8);
    }

    private static byte[] crlfToLf(byte[] wire) {
        return new String(wire, UTF_8).replace("\r\n", "\n").getBytes(UTF_8);
    }

    private static byte[] dotStuff(byte[] wire) {
        return new String(wire, UTF_8).replaceAll("(?m)^\\.", "..").getBytes(UTF_8);
    }

    private static String escape(String s) {
        return s.replace("\r", "<CR>").replace("\n", "<LF>");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void assertBytes(String what, byte[] expected, byte[] actual) {
        if (Arrays.equals(expected, actual)) {
            return;
        }
        int at = Arrays.mismatch(expected, actual);
        fail(what + ": expected " + expected.length + " octets, got " + actual.length + "; first difference at offset "
                + at + "\n expected: " + excerpt(expected, at) + "\n actual:   " + excerpt(actual, at));
    }

    private static String excerpt(byte[] bytes, int at) {
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, at - 40); i < Math.min(bytes.length, at + 40); i++) {
            int c = bytes[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    /** Another self-signed certificate for the same names (CN=localhost, O=Not Mailroom): msmtp must not trust Mailroom's with it. */
    private static final String OTHER_CERTIFICATE = "-----BEGIN CERTIFICATE-----\n"
            + "MIIByTCCAW+gAwIBAgIUFuQUyeOqFuV9v4A9m2RXLOxgoc8wCgYIKoZIzj0EAwIw\n"
            + "KzESMBAGA1UEAwwJbG9jYWxob3N0MRUwEwYDVQQKDAxOb3QgTWFpbHJvb20wIBcN\n"
            + "MjYxMjAyMTU0OTAxWhgPMjEyNjExMDgxNTQ5MDFaMCsxEjAQBgNVBAMMCWxvY2Fs\n"
            + "aG9zdDEVMBMGA1UECgwMTm90IE1haWxyb29tMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
            + "AQcDQgAE7h6BMEErSGGxCrDH/GmEej0zg7SW99tN0XXrPAV7U6LyARhixCfb84r8\n"
            + "AqFse2pYiz0wEnfJef5d6Lq2fMfPpqNvMG0wHQYDVR0OBBYEFFsGyGeQZiMSv+2m\n"
            + "6LRDzrAgArmOMB8GA1UdIwQYMBaAFFsGyGeQZiMSv+2m6LRDzrAgArmOMA8GA1Ud\n"
            + "EwEB/wQFMAMBAf8wGgYDVR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMAoGCCqGSM49\n"
            + "BAMCA0gAMEUCIQCzwavZJSckbEF5tdSuNCAcpV9DgCWGVoPFgvshHLr/VQIgFtO7\n"
            + "kgAKew/zaJTqfd0CL/juCcwGhjZwBZi8wn45T0k=\n"
            + "-----END CERTIFICATE-----\n";
}
