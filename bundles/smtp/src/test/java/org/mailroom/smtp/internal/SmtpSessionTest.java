package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.spool.SpoolRecipient;
import org.mailroom.testing.Configs;

/** The SMTP, submission and LMTP state machine, over a connection that frames input as the transport does. */
public class SmtpSessionTest {

    private final TestServices services = new TestServices();
    private ScriptedConnection c;

    private ScriptedConnection open(Mode mode, Object... settings) {
        c = new ScriptedConnection();
        SmtpSession session = new SmtpSession(mode, c, services, settings(settings));
        c.attach(session);
        session.greet();
        return c;
    }

    private static SmtpSettings settings(Object... keysAndValues) {
        Object[] all = new Object[keysAndValues.length + 2];
        all[0] = "hostname";
        all[1] = "mx.example.com";
        System.arraycopy(keysAndValues, 0, all, 2, keysAndValues.length);
        return SmtpSettings.from(Configs.of(SmtpConfig.class, all), Map.of());
    }

    @Test
    public void mailToALocalUserIsQueuedWithAReceivedHeaderAndUndoneDotStuffing() {
        open(Mode.SMTP);
        assertEquals("220 mx.example.com ESMTP Mailroom", c.last());
        c.client("EHLO client.example\r\n");
        List<String> ehlo = c.take();
        assertEquals("250-mx.example.com Hello client.example", ehlo.get(1));
        for (String keyword : List.of(
                "PIPELINING", "SIZE 26214400", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8", "CHUNKING", "DSN")) {
            assertTrue(
                    keyword + " in " + ehlo,
                    ehlo.stream().anyMatch(l -> l.substring(4).equals(keyword)));
        }
        assertTrue(ehlo.get(ehlo.size() - 1).startsWith("250 "));
        assertFalse("no AUTH on the MX port", ehlo.stream().anyMatch(l -> l.contains("AUTH")));

        c.client("MAIL FROM:<alice@elsewhere.example> SIZE=100\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n");
        assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>"), c.take());
        assertEquals("a real client now: the login timeout no longer applies", null, c.authenticatedAs);
        c.client("Subject: hi\r\n\r\n..dot line\r\n.\r\n");
        assertEquals(List.of("250 2.0.0 Ok: queued as q1"), c.take());

        TestServices.Queued q = services.queued.get(0);
        assertEquals("alice@elsewhere.example", q.sender());
        assertEquals(List.of(new SpoolRecipient("bob@example.com", "bob")), q.recipients());
        assertTrue(
                q.content(),
                q.content()
                        .startsWith("Received: from client.example (unknown [192.0.2.7])\r\n"
                                + "\tby mx.example.com (Mailroom) with ESMTP id q1\r\n\tfor <bob@example.com>; "));
        assertTrue(q.content(), q.content().endsWith("\r\nSubject: hi\r\n\r\n.dot line\r\n"));
    }

    @Test
    public void pipelinedRecipientsAreAnsweredInOrderWithTheUnknownOneRefused() {
        open(Mode.SMTP);
        c.client("EHLO x\r\n").take();
        c.client("MAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<nobody@example.com>\r\n"
                + "RCPT TO:<Sales@example.com>\r\nRCPT TO:<x@foreign.example>\r\nDATA\r\nbody\r\n.\r\n");
        assertEquals(
                List.of(
                        "250 2.1.0 Ok",
                        "250 2.1.5 Ok",
                        "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown",
                        "250 2.1.5 Ok",
                        "550 5.7.1 <x@foreign.example>: Relay access denied",
                        "354 End data with <CR><LF>.<CR><LF>",
                        "250 2.0.0 Ok: queued as q1"),
                c.take());
        assertEquals("", services.queued.get(0).sender());
        assertEquals(
                List.of(
                        new SpoolRecipient("bob@example.com", "bob"),
                        new SpoolRecipient("Sales@example.com", "bob"),
                        new SpoolRecipient("Sales@example.com", "carol")),
                services.queued.get(0).recipients());
    }

    @Test
    public void aBareLfInTheDataIsRefusedAfterTheRealEndAndNothingIsSmuggled() {
        open(Mode.SMTP);
        c.client("EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
                .take();
        c.client("Subject: one\r\n\r\nbody\n.\nMAIL FROM:<evil@b.example>\nRCPT TO:<carol@example.com>\nDATA\n"
                + "smuggled\r\n.\r\nNOOP\r\n");
        assertEquals(
                List.of("550 5.6.0 Bare LF or CR in message data not allowed; see RFC 5321 2.3.8", "250 2.0.0 Ok"),
                c.take());
        assertTrue(services.queued.isEmpty());
        assertEquals(1, services.discarded);
    }

    @Test
    public void withNormaliseABareLfBecomesCrlfAndStillNeverEndsTheData() {
        open(Mode.SMTP, "bareLineEnds", "normalise");
        c.client("EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
                .take();
        c.client("one\ntwo\n.\nthree\r\n.\r\n");
        assertEquals(List.of("250 2.0.0 Ok: queued as q1"), c.take());
        assertTrue(services.queued.get(0).content().endsWith("\r\none\r\ntwo\r\n.\r\nthree\r\n"));
    }

    @Test
    public void anOversizeMessageIsRefusedAtMailOrAfterItsDataAndNothingIsQueued() {
        open(Mode.SMTP, "maxMessageSize", 1000L);
        c.client("EHLO x\r\nMAIL FROM:<a@b.example> SIZE=1001\r\n");
        assertEquals("552 5.3.4 Message size exceeds fixed limit", c.last());
        c.client("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n");
        c.client(("x".repeat(100) + "\r\n").repeat(20) + ".\r\nRSET\r\n");
        List<String> replies = c.take();
        assertEquals(replies.toString(), "552 5.3.4 Message size exceeds fixed limit", replies.get(replies.size() - 2));
        assertEquals("250 2.0.0 Ok", replies.get(replies.size() - 1));
        assertTrue(services.queued.isEmpty());
    }

    @Test
    public void bdatChunksMakeOneMessageAndAChunkWithoutTransactionIsConsumedAndRefused() {
        open(Mode.SMTP);
        c.client("EHLO x\r\n").take();
        c.client("BDAT 6\r\nQUIT\r\n");
        assertEquals(List.of("503 5.5.1 Error: need MAIL command"), c.take());
        assertFalse("the chunk's octets were not taken for a command", c.closed);

        String first = "Subject: chunks\r\n\r\n";
        String second = "line one\r\n.\r\nnot the end\r\n";
        c.client("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nBDAT " + first.length() + "\r\n" + first
                + "BDAT " + second.length() + " LAST\r\n" + second + "NOOP\r\n");
        assertEquals(
                List.of(
                        "250 2.1.0 Ok",
                        "250 2.1.5 Ok",
                        "250 2.0.0 " + first.length() + " octets received",
                        "250 2.0.0 Ok: queued as q1",
                        "250 2.0.0 Ok"),
                c.take());
        assertTrue(services.queued.get(0).content().endsWith("\r\n" + first + second));

        c.client("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nBDAT 0 LAST\r\n");
        assertEquals("250 2.0.0 Ok: queued as q2", c.last());

        c.client("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nBDAT 5 LAST\r\na\nb\r\n");
        assertEquals("a bare LF in a chunk is refused as in DATA", DataReader.BARE_LINE_END, c.last());
        assertEquals(2, services.queued.size());
    }

    @Test
    public void lmtpSpeaksLhloAndRepliesOncePerRecipientAfterTheData() {
        open(Mode.LMTP);
        assertEquals("220 mx.example.com LMTP Mailroom", c.last());
        c.client("EHLO x\r\n");
        assertTrue(c.last().startsWith("500 5.5.1"));
        c.client("LHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\n"
                + "DATA\r\nhi\r\n.\r\n");
        List<String> replies = c.take();
        assertEquals("250 2.1.5 <bob@example.com> Ok: queued as q1", replies.get(replies.size() - 2));
        assertEquals("250 2.1.5 <carol@example.com> Ok: queued as q1", replies.get(replies.size() - 1));
    }

    @Test
    public void smtpRefusesTheMessageWhenTheFiltersRefusedEveryRecipientBeforeTheReply() {
        services.verdicts.put("bob", Verdict.rejected("554 5.7.1 Message contains a forbidden word"));
        services.verdicts.put("carol", Verdict.rejected("550 5.7.1 second filter"));
        open(Mode.SMTP);
        c.client("EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\n"
                + "DATA\r\nhi\r\n.\r\n");
        assertEquals("554 5.7.1 Message contains a forbidden word", c.last());
        assertTrue("nothing queued", services.queued.isEmpty());
        assertEquals(1, services.discarded);

        services.verdicts.put("carol", Verdict.deferred("451 4.7.1 scanner busy"));
        c.client("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\n"
                + "DATA\r\nhi\r\n.\r\n");
        assertEquals("a deferral wins: the client tries again", "451 4.7.1 scanner busy", c.last());

        services.verdicts.put("carol", Verdict.delivered());
        c.client("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\n"
                + "DATA\r\nhi\r\n.\r\n");
        assertTrue(
                "one recipient has it: accepted, the spool answers for bob",
                c.last().startsWith("250 2.0.0 Ok: queued as"));
        assertEquals(1, services.queued.size());
        assertEquals(
                "the spool keeps bob's rejection",
                2,
                services.queued.get(0).recipients().size());
    }

    @Test
    public void lmtpRefusesEachRecipientAllOfWhoseMailboxesWereRefused() {
        services.verdicts.put("bob", Verdict.rejected("550 5.7.1 Rejected for bob"));
        services.verdicts.put("carol", Verdict.delivered());
        services.verdicts.put("alice", Verdict.deferred("451 4.7.1 Try alice later"));
        open(Mode.LMTP);
        c.client("LHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\n"
                + "RCPT TO:<sales@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nhi\r\n.\r\n");
        List<String> replies = c.take();
        assertEquals(
                List.of(
                        "550 5.7.1 Rejected for bob",
                        "250 2.1.5 <carol@example.com> Ok: queued as q1",
                        "250 2.1.5 <sales@example.com> Ok: queued as q1",
                        "451 4.7.1 Try alice later"),
                replies.subList(replies.size() - 4, replies.size()));
        assertEquals(java.util.Set.of("bob", "alice"), services.answered.get("q1"));
    }

    @Test
    public void refusedTokenGetsTheErrorChallengeThenTheFailure() {
        services.tokenMechanism = true;
        open(Mode.SUBMISSION);
        c.client("EHLO x\r\n");
        assertTrue(c.take().stream().anyMatch(l -> l.endsWith("AUTH X-TOKEN")));
        String b64 = Base64.getEncoder().encodeToString("expired".getBytes(UTF_8));
        c.client("AUTH X-TOKEN " + b64 + "\r\n");
        assertEquals("334 " + Base64.getEncoder().encodeToString(TestServices.TOKEN_FAILURE.getBytes(UTF_8)), c.last());
        c.client("\r\n");
        assertEquals("535 5.7.8 Authentication credentials invalid", c.last());
        c.client("NOOP\r\n");
        assertEquals("the session takes commands again", "250 2.0.0 Ok", c.last());
        String token = Base64.getEncoder().encodeToString("secret".getBytes(UTF_8));
        c.client("AUTH X-TOKEN\r\n");
        assertEquals("334 ", c.last());
        c.client(token + "\r\n");
        assertEquals("235 2.7.0 Authentication successful", c.last());
    }

    @Test
    public void aMechanismThatWentAwayLatelyIsTemporaryAndAnUnknownOneUnsupported() {
        services.gone.add("X-TOKEN");
        open(Mode.SUBMISSION, "serviceWaitMillis", 0, "allowPlaintextAuth", true);
        c.client("EHLO x\r\n");
        c.take();
        c.client("AUTH X-TOKEN dG9rZW4=\r\n");
        assertEquals("454 4.7.0 Temporary authentication failure", c.last());
        c.client("AUTH X-NEVER dG9rZW4=\r\n");
        assertEquals("504 5.5.4 Unrecognized authentication type", c.last());
    }

    @Test
    public void submissionNeedsAuthOverTlsAndAnOwnedSender() {
        open(Mode.SUBMISSION);
        c.client("EHLO x\r\n");
        assertFalse("no AUTH PLAIN before TLS", c.take().stream().anyMatch(l -> l.contains("AUTH")));
        c.client("MAIL FROM:<alice@example.com>\r\n");
        assertEquals("530 5.7.0 Authentication required", c.last());
        c.client("AUTH PLAIN " + plain("alice", "secret") + "\r\n");
        assertEquals("538 5.7.11 Encryption required for requested authentication mechanism", c.last());

        c.client("STARTTLS\r\n");
        assertEquals("220 2.0.0 Ready to start TLS", c.last());
        c.client("EHLO x\r\n");
        List<String> secureEhlo = c.take();
        assertTrue(
                secureEhlo.toString(), secureEhlo.contains("250-AUTH PLAIN") || secureEhlo.contains("250 AUTH PLAIN"));
        c.client("AUTH PLAIN " + plain("alice", "wrong") + "\r\n");
        assertEquals("535 5.7.8 Authentication credentials invalid", c.last());
        c.client("AUTH PLAIN\r\n");
        assertEquals("334 ", c.last());
        c.client(plain("alice", "secret") + "\r\n");
        assertEquals("235 2.7.0 Authentication successful", c.last());
        assertEquals("alice", c.authenticatedAs);

        c.client("MAIL FROM:<bob@example.com>\r\n");
        assertEquals("553 5.7.1 <bob@example.com>: Sender address rejected: not owned by user alice", c.last());
        c.take();
        c.client("MAIL FROM:<alice@example.com>\r\nRCPT TO:<someone@foreign.example>\r\nRCPT TO:<bob@example.com>\r\n"
                + "DATA\r\nhi\r\n.\r\n");
        List<String> replies = c.take();
        assertEquals(
                "550 5.7.1 <someone@foreign.example>: Relay access denied (Mailroom delivers to local domains only)",
                replies.get(1));
        assertEquals("250 2.0.0 Ok: queued as q1", replies.get(replies.size() - 1));
        assertTrue(
                services.queued.get(0).content(),
                services.queued
                        .get(0)
                        .content()
                        .contains(
                                "\t(Authenticated sender: alice)\r\n\tby mx.example.com (Mailroom) with ESMTPA id q1"));
    }

    @Test
    public void withoutASpoolOrAddressesTheClientGetsATemporaryError() {
        open(Mode.SMTP, "serviceWaitMillis", 0);
        services.addressesAvailable = false;
        c.client("EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\n");
        assertEquals("451 4.3.0 <bob@example.com>: Temporary lookup failure", c.last());
        services.addressesAvailable = true;
        services.spoolAvailable = false;
        c.client("RCPT TO:<bob@example.com>\r\nDATA\r\n");
        assertEquals("451 4.3.0 Error: the mail queue is not available, try again later", c.last());
        services.spoolAvailable = true;
        c.client("DATA\r\nhi\r\n.\r\n");
        assertEquals("250 2.0.0 Ok: queued as q1", c.last());
    }

    @Test
    public void tooManyErrorsOrIdleCommandsCloseTheSession() {
        open(Mode.SMTP, "maxBadCommands", 3);
        c.client("FOO\r\nBAR\r\nBAZ\r\n");
        assertEquals("421 4.7.0 mx.example.com Error: too many errors", c.last());
        assertTrue(c.closed);

        open(Mode.SMTP, "maxCommandsWithoutMail", 3);
        c.client("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
        assertEquals("421 4.7.0 mx.example.com Error: too many commands without a message", c.last());
    }

    @Test
    public void vrfyIsDisabledAndCommandsOutOfOrderAreRefused() {
        open(Mode.SMTP).take();
        c.client("MAIL FROM:<a@b.example>\r\n");
        assertEquals("503 5.5.1 Error: send HELO/EHLO first", c.last());
        c.client("HELO x\r\nVRFY bob\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n");
        assertEquals(
                List.of(
                        "503 5.5.1 Error: send HELO/EHLO first",
                        "250 mx.example.com",
                        "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery",
                        "503 5.5.1 Error: need MAIL command",
                        "503 5.5.1 Error: need MAIL command"),
                c.take());
        c.client("MAIL FROM:<a@b.example> SIZE=10\r\n");
        assertEquals("555 5.5.4 Error: MAIL parameters need EHLO", c.last());
        c.take();
        c.client("MAIL FROM:<a@b.example>\r\nDATA\r\nQUIT\r\n");
        assertEquals(List.of("250 2.1.0 Ok", "554 5.5.1 Error: no valid recipients", "221 2.0.0 Bye"), c.take());
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(UTF_8));
    }
}
