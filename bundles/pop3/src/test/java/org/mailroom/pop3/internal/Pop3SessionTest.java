package org.mailroom.pop3.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.mailroom.api.store.StoreException;
import org.mailroom.pop3.internal.TestAuth.PasswordTable;

public class Pop3SessionTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(10);
    private static final String M1 = "From: a@example.org\r\nSubject: one\r\n\r\nfirst\r\nbody\r\n";
    private static final String M2 = "Subject: two\r\n\r\n.dotted\r\nsecond\r\n";
    private static final String M3 = "Subject: three\r\n\r\nthird\r\n";
    private static final long TOTAL = M1.length() + M2.length() + M3.length();

    private final TestServices services = new TestServices();
    private final MemoryStore store = new MemoryStore();
    private final PasswordTable passwords =
            new PasswordTable().with("alice", "secret").with("bob", "hunter2");
    private final MailboxLocks locks = new MailboxLocks();
    private final LoginHistory logins = new LoginHistory();
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private Pop3Settings settings = settings(false, 0, Duration.ofMillis(100), 10);

    private static Pop3Settings settings(
            boolean allowPlaintext, int loginDelaySeconds, Duration serviceWait, int maxBadCommands) {
        return new Pop3Settings(allowPlaintext, loginDelaySeconds, serviceWait, maxBadCommands, 65536);
    }

    @Before
    public void setUp() {
        services.store = store;
        services.authenticator = passwords;
        services.mechanisms.add(new TestAuth.Plain());
        services.mechanisms.add(new TestAuth.Login());
        store.add("alice", M1);
        store.add("alice", M2);
        store.add("alice", M3);
        store.add("bob", M3);
    }

    /** One client connection driving one session. */
    private final class Client {
        final RecordingConnection connection;
        final Pop3Session session;
        final AtomicInteger closedCallbacks = new AtomicInteger();

        Client(boolean secure, boolean loopback, boolean startTls) {
            connection = new RecordingConnection(secure, loopback, startTls);
            session = new Pop3Session(connection, services, settings, locks, logins, clock::get);
            session.whenClosed(closedCallbacks::incrementAndGet);
            session.greet();
        }

        /** Sends a line without running pause continuations. */
        void raw(String line) {
            connection.fresh();
            session.onLine(line.getBytes(UTF_8));
        }

        /** Sends a line, lets every requested pause elapse, and returns what the session sent. */
        List<String> cmd(String line) {
            raw(line);
            connection.drainPauses(DRAIN_LIMIT);
            return connection.freshText();
        }

        /** Sends a line that must get exactly one reply line. */
        String one(String line) {
            List<String> replies = cmd(line);
            assertEquals("replies to " + line + ": " + replies, 1, replies.size());
            return replies.get(0);
        }

        void login(String user, String password) {
            assertEquals("+OK", one("USER " + user));
            String reply = one("PASS " + password);
            assertTrue(reply, reply.startsWith("+OK"));
        }
    }

    private Client secure() {
        return new Client(true, false, false);
    }

    private Client insecure(boolean startTls) {
        return new Client(false, false, startTls);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
    }

    private static void assertStartsWith(String prefix, String actual) {
        assertTrue("expected " + prefix + "... but got " + actual, actual.startsWith(prefix));
    }

    private static List<String> capabilities(List<String> reply) {
        assertStartsWith("+OK", reply.get(0));
        assertEquals(".", reply.get(reply.size() - 1));
        return reply.subList(1, reply.size() - 1);
    }

    private static boolean hasCapability(List<String> caps, String name) {
        for (String c : caps) {
            if (c.equals(name) || c.startsWith(name + " ")) {
                return true;
            }
        }
        return false;
    }

    private static void assertCommonCapabilities(List<String> caps) {
        for (String name : new String[] {
            "TOP",
            "UIDL",
            "RESP-CODES",
            "AUTH-RESP-CODE",
            "PIPELINING",
            "EXPIRE",
            "LOGIN-DELAY",
            "UTF8",
            "IMPLEMENTATION"
        }) {
            assertTrue(name + " missing from " + caps, hasCapability(caps, name));
        }
    }

    // ---- greeting and CAPA

    @Test
    public void greetingHasNoApopTimestamp() {
        Client c = secure();
        List<String> greeting = c.connection.freshText();
        assertEquals(1, greeting.size());
        assertStartsWith("+OK", greeting.get(0));
        assertFalse(greeting.get(0), greeting.get(0).matches(".*<[^>]*>.*"));
    }

    @Test
    public void capaOnSecureConnectionOffersPasswordMechanismsButNoStls() {
        Client c = secure();
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertCommonCapabilities(caps);
        assertTrue(caps.contains("USER"));
        assertTrue(caps.toString(), caps.contains("SASL PLAIN LOGIN"));
        assertFalse(hasCapability(caps, "STLS"));
        assertTrue(caps.contains("LOGIN-DELAY 0"));
        assertTrue(caps.contains("IMPLEMENTATION " + Pop3Session.IMPLEMENTATION));
    }

    @Test
    public void capaOnPlainConnectionHidesPlaintextMechanismsAndOffersStls() {
        services.mechanisms.add(new TestAuth.Token());
        Client c = insecure(true);
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertCommonCapabilities(caps);
        assertFalse(caps.contains("USER"));
        assertTrue(caps.toString(), caps.contains("SASL X-TOKEN"));
        assertTrue(caps.contains("STLS"));
    }

    @Test
    public void capaWithoutAnyUsableMechanismHasNoSaslLine() {
        Client c = insecure(false);
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertFalse(hasCapability(caps, "SASL"));
        assertFalse(hasCapability(caps, "STLS"));
        assertFalse(caps.contains("USER"));
    }

    @Test
    public void capaOnLoopbackAllowsPlaintext() {
        Client c = new Client(false, true, true);
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertTrue(caps.contains("USER"));
        assertTrue(caps.contains("SASL PLAIN LOGIN"));
        assertTrue(caps.contains("STLS"));
    }

    @Test
    public void capaWithAllowPlaintextSetting() {
        settings = settings(true, 0, Duration.ofMillis(100), 10);
        Client c = insecure(false);
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertTrue(caps.contains("USER"));
        assertTrue(caps.contains("SASL PLAIN LOGIN"));
    }

    @Test
    public void capaInTransactionStateStillAnnouncesAuthorizationCapabilities() {
        settings = settings(false, 30, Duration.ofMillis(100), 10);
        Client c = secure();
        c.login("alice", "secret");
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertCommonCapabilities(caps);
        assertTrue(caps.contains("LOGIN-DELAY 30"));
        // RFC 2449 section 5: capabilities available in AUTHORIZATION MUST be announced in both states.
        assertTrue(caps.toString(), caps.contains("USER"));
        assertTrue(caps.toString(), caps.contains("SASL PLAIN LOGIN"));
        assertFalse(hasCapability(caps, "STLS"));
    }

    @Test
    public void capaInTransactionStateOnLoopbackDoesNotAnnounceStls() {
        Client c = new Client(false, true, true);
        c.login("alice", "secret");
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertCommonCapabilities(caps);
        assertFalse("STLS is only permitted in AUTHORIZATION: " + caps, hasCapability(caps, "STLS"));
    }

    // ---- USER/PASS

    @Test
    public void userPassLogsIn() {
        Client c = secure();
        assertEquals("+OK", c.one("USER alice"));
        assertEquals("+OK Logged in, 3 messages (" + TOTAL + " octets)", c.one("PASS secret"));
        assertEquals(List.of("alice"), passwords.attempts);
        assertEquals("+OK 3 " + TOTAL, c.one("STAT"));
    }

    @Test
    public void passwordMayContainSpaces() {
        passwords.with("carol", "two words ");
        store.add("carol", M1);
        Client c = secure();
        c.one("USER carol");
        assertStartsWith("+OK Logged in, 1 messages", c.one("PASS two words "));
    }

    @Test
    public void wrongPasswordIsAnsweredWhenTheLoginServiceAnswers() {
        Client c = secure();
        c.one("USER alice");
        c.raw("PASS wrong");
        assertTrue(
                "reply must wait for the login service: " + c.connection.output,
                c.connection.fresh().isEmpty());
        assertEquals(List.of("bad password"), services.logins.failures);
        assertTrue(c.connection.runOnePause());
        List<String> reply = c.connection.freshText();
        assertEquals(1, reply.size());
        assertStartsWith("-ERR [AUTH]", reply.get(0));
        assertEquals("-ERR Not logged in", c.one("STAT"));
        c.one("USER alice");
        assertStartsWith("+OK Logged in", c.one("PASS secret"));
    }

    @Test
    public void unknownUserLooksLikeWrongPassword() {
        Client c = secure();
        c.one("USER mallory");
        assertStartsWith("-ERR [AUTH]", c.one("PASS secret"));
        assertEquals(1, services.logins.failures.size());
    }

    @Test
    public void emptyPasswordIsRefusedWithoutAskingTheAuthenticator() {
        Client c = secure();
        c.one("USER alice");
        assertStartsWith("-ERR [AUTH]", c.one("PASS"));
        c.one("USER alice");
        assertStartsWith("-ERR [AUTH]", c.one("PASS "));
        assertTrue(passwords.attempts.isEmpty());
        assertEquals(2, services.logins.failures.size());
    }

    @Test
    public void plaintextLoginRefusedOnPlainRemoteConnection() {
        Client c = insecure(true);
        assertStartsWith("-ERR [AUTH]", c.one("USER alice"));
        assertEquals("-ERR USER first", c.one("PASS secret"));
        assertStartsWith("-ERR [AUTH]", c.one("AUTH PLAIN " + b64("\0alice\0secret")));
        assertStartsWith("-ERR [AUTH]", c.one("AUTH LOGIN"));
        assertTrue(passwords.attempts.isEmpty());
        assertEquals("-ERR Not logged in", c.one("STAT"));
    }

    @Test
    public void plaintextLoginAllowedOnLoopbackAndBySetting() {
        Client loop = new Client(false, true, false);
        loop.login("alice", "secret");
        settings = settings(true, 0, Duration.ofMillis(100), 10);
        Client allowed = insecure(false);
        allowed.login("bob", "hunter2");
    }

    @Test
    public void mechanismWithoutSecretWorksOnPlainConnection() {
        services.mechanisms.add(new TestAuth.Token());
        passwords.with("token-user", "t0ken");
        Client c = insecure(false);
        assertStartsWith("+OK Logged in, 0 messages", c.one("AUTH X-TOKEN " + b64("t0ken")));
    }

    @Test
    public void refusedTokenGetsTheErrorChallengeThenTheFailure() {
        services.mechanisms.add(new TestAuth.Token());
        passwords.with("token-user", "t0ken");
        Client c = insecure(false);
        assertEquals("+ " + b64(TestAuth.Token.FAILURE), c.one("AUTH X-TOKEN " + b64("expired")));
        assertStartsWith("-ERR [AUTH]", c.one("AQ=="));
        assertEquals("the session takes commands again", "-ERR Not logged in", c.one("STAT"));
        assertEquals("+ " + b64(TestAuth.Token.FAILURE), c.one("AUTH X-TOKEN " + b64("expired")));
        assertStartsWith("-ERR [AUTH]", c.one("*"));
        assertStartsWith("+OK Logged in", c.one("AUTH X-TOKEN " + b64("t0ken")));
    }

    @Test
    public void tokenLongerThanACommandLineOnTheContinuationLine() {
        services.mechanisms.add(new TestAuth.Token());
        String token = "t".repeat(4000);
        passwords.with("token-user", token);
        Client c = insecure(false);
        assertEquals("+ ", c.one("AUTH X-TOKEN"));
        assertStartsWith("+OK Logged in", c.one(b64(token)));
    }

    @Test
    public void passwordFailureHasNoErrorChallenge() {
        Client c = secure();
        assertStartsWith("-ERR [AUTH]", c.one("AUTH PLAIN " + b64("\0alice\0nope")));
    }

    // ---- SASL

    @Test
    public void authPlainWithInitialResponse() {
        Client c = secure();
        assertStartsWith("+OK Logged in, 3 messages", c.one("AUTH PLAIN " + b64("\0alice\0secret")));
        assertEquals(List.of("alice"), passwords.attempts);
    }

    @Test
    public void authPlainWithAuthorizationIdentityEqualToUser() {
        Client c = secure();
        assertStartsWith("+OK Logged in", c.one("auth plain " + b64("alice\0alice\0secret")));
    }

    @Test
    public void authPlainWithEmptyInitialResponseGetsAChallenge() {
        Client c = secure();
        assertEquals("+ ", c.one("AUTH PLAIN ="));
        assertStartsWith("+OK Logged in", c.one(b64("\0alice\0secret")));
    }

    @Test
    public void authPlainWithoutInitialResponse() {
        Client c = secure();
        assertEquals("+ ", c.one("AUTH PLAIN"));
        assertStartsWith("+OK Logged in", c.one(b64("\0alice\0secret")));
    }

    @Test
    public void authPlainWrongPasswordIsDelayed() {
        Client c = secure();
        c.raw("AUTH PLAIN " + b64("\0alice\0nope"));
        assertTrue(c.connection.fresh().isEmpty());
        c.connection.drainPauses(DRAIN_LIMIT);
        assertStartsWith("-ERR [AUTH]", c.connection.last());
        assertEquals(1, services.logins.failures.size());
    }

    @Test
    public void malformedSaslResponseIsAFailedLogin() {
        Client c = secure();
        assertStartsWith("-ERR [AUTH]", c.one("AUTH PLAIN " + b64("alice secret")));
        assertEquals(1, services.logins.failures.size());
        assertTrue(passwords.attempts.isEmpty());
        assertEquals(512, c.connection.maxLineLength());
        assertEquals("+OK", c.one("USER alice"));
    }

    @Test
    public void starCancelsTheExchange() {
        Client c = secure();
        assertEquals("+ ", c.one("AUTH PLAIN"));
        assertStartsWith("-ERR", c.one("*"));
        assertTrue(passwords.attempts.isEmpty());
        assertEquals(512, c.connection.maxLineLength());
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertTrue("commands are commands again after the cancel", caps.contains("USER"));
    }

    @Test
    public void invalidBase64EndsTheExchange() {
        Client c = secure();
        assertStartsWith("-ERR [AUTH]", c.one("AUTH PLAIN !!not-base64!!"));
        assertEquals("+ ", c.one("AUTH PLAIN"));
        assertStartsWith("-ERR [AUTH]", c.one("%%%"));
        assertEquals(512, c.connection.maxLineLength());
        assertEquals("+OK", c.one("USER alice"));
        assertTrue(passwords.attempts.isEmpty());
    }

    @Test
    public void authLoginTwoSteps() {
        Client c = secure();
        assertEquals("+ " + b64("Username:"), c.one("AUTH LOGIN"));
        assertEquals("+ " + b64("Password:"), c.one(b64("alice")));
        assertStartsWith("+OK Logged in, 3 messages", c.one(b64("secret")));
        assertEquals(512, c.connection.maxLineLength());
    }

    @Test
    public void authLoginWithUserAsInitialResponse() {
        Client c = secure();
        assertEquals("+ " + b64("Password:"), c.one("AUTH LOGIN " + b64("alice")));
        assertStartsWith("+OK Logged in", c.one(b64("secret")));
    }

    @Test
    public void longContinuationLineIsAcceptedAndLineLimitRestored() {
        String longPassword = "p".repeat(13_000);
        passwords.with("alice", longPassword);
        Client c = secure();
        assertEquals("+ ", c.one("AUTH PLAIN"));
        assertEquals(65536, c.connection.maxLineLength());
        String response = b64("\0alice\0" + longPassword);
        assertTrue(response.length() > 16 * 1024);
        assertStartsWith("+OK Logged in", c.one(response));
        assertEquals(List.of(65536, 512), c.connection.lineLengths);
        assertEquals(512, c.connection.maxLineLength());
    }

    @Test
    public void tooLongContinuationLineEndsTheExchange() {
        Client c = secure();
        assertEquals("+ ", c.one("AUTH LOGIN " + b64("alice")).substring(0, 2));
        c.connection.fresh();
        c.session.onLineTooLong();
        assertStartsWith("-ERR [AUTH]", c.connection.last());
        assertEquals(512, c.connection.maxLineLength());
        assertEquals("+OK", c.one("USER alice"));
    }

    @Test
    public void invalidUtf8InContinuationEndsTheExchange() {
        Client c = secure();
        assertEquals("+ ", c.one("AUTH PLAIN"));
        c.connection.fresh();
        c.session.onLine(new byte[] {(byte) 0xC3, (byte) 0x28});
        assertStartsWith("-ERR", c.connection.last());
        assertEquals(512, c.connection.maxLineLength());
        // "USER" is valid base64: a session still inside SASL would treat it as a response.
        assertEquals("+OK", c.one("USER alice"));
        assertStartsWith("+OK Logged in", c.one("PASS secret"));
    }

    @Test
    public void unknownMechanismIsRefusedAtOnceWhileOthersAreRegistered() {
        Client c = secure();
        assertEquals("-ERR Unsupported authentication mechanism", c.one("AUTH CRAM-MD5"));
        assertTrue("no wait for a mechanism that is simply not offered", c.connection.pauses.isEmpty());
        assertEquals(512, c.connection.maxLineLength());
        assertEquals("+OK", c.one("USER alice"));
    }

    @Test
    public void authWithoutAnyMechanismIsTemporary() {
        services.mechanisms.clear();
        Client c = secure();
        assertStartsWith("-ERR [SYS/TEMP]", c.one("AUTH PLAIN"));
    }

    @Test
    public void aMechanismThatWentAwayLatelyIsTemporaryAndAnUnknownOneUnsupported() {
        services.gone.add("X-TOKEN");
        Client c = secure();
        assertStartsWith("-ERR [SYS/TEMP]", c.one("AUTH X-TOKEN " + b64("t0ken")));
        assertStartsWith("-ERR Unsupported", c.one("AUTH X-NEVER " + b64("t0ken")));
    }

    @Test
    public void authWithoutArgumentListsMechanisms() {
        Client c = secure();
        assertEquals(List.of("+OK Supported SASL mechanisms follow", "PLAIN", "LOGIN", "."), c.cmd("AUTH"));
        Client plain = insecure(false);
        assertEquals(List.of("+OK Supported SASL mechanisms follow", "."), plain.cmd("AUTH"));
    }

    @Test
    public void authSyntaxError() {
        Client c = secure();
        assertStartsWith("-ERR", c.one("AUTH PLAIN a b"));
        assertEquals(512, c.connection.maxLineLength());
    }

    // ---- TRANSACTION

    @Test
    public void statListUidlAndNoop() {
        Client c = secure();
        c.login("alice", "secret");
        List<String> uids = store.uids("alice");
        assertEquals("+OK 3 " + TOTAL, c.one("STAT"));
        assertEquals(
                List.of(
                        "+OK 3 messages (" + TOTAL + " octets)",
                        "1 " + M1.length(),
                        "2 " + M2.length(),
                        "3 " + M3.length(),
                        "."),
                c.cmd("LIST"));
        assertEquals("+OK 2 " + M2.length(), c.one("LIST 2"));
        List<String> uidl = c.cmd("UIDL");
        assertStartsWith("+OK", uidl.get(0));
        assertEquals(
                List.of("1 " + uids.get(0), "2 " + uids.get(1), "3 " + uids.get(2), "."), uidl.subList(1, uidl.size()));
        assertEquals("+OK 3 " + uids.get(2), c.one("UIDL 3"));
        assertEquals("+OK", c.one("NOOP"));
        assertStartsWith("-ERR", c.one("LIST 4"));
        assertStartsWith("-ERR", c.one("LIST 0"));
        assertStartsWith("-ERR", c.one("UIDL x"));
    }

    @Test
    public void retrSendsDotStuffedMessage() {
        Client c = secure();
        c.login("alice", "secret");
        c.raw("RETR 2");
        List<RecordingConnection.Output> out = c.connection.fresh();
        assertEquals(2, out.size());
        assertEquals("+OK " + M2.length() + " octets", out.get(0).line());
        assertTrue(out.get(1).isStream());
        assertEquals(
                "Subject: two\r\n\r\n..dotted\r\nsecond\r\n.\r\n", out.get(1).text());
        assertEquals(M1 + ".\r\n", c.cmd("RETR 1").get(1));
        assertStartsWith("-ERR", c.one("RETR"));
        assertStartsWith("-ERR", c.one("RETR 9"));
    }

    @Test
    public void topSendsHeaderAndLines() {
        Client c = secure();
        c.login("alice", "secret");
        List<String> top = c.cmd("TOP 1 0");
        assertEquals(2, top.size());
        assertStartsWith("+OK", top.get(0));
        assertEquals("From: a@example.org\r\nSubject: one\r\n\r\n.\r\n", top.get(1));
        assertEquals(
                "From: a@example.org\r\nSubject: one\r\n\r\nfirst\r\n.\r\n",
                c.cmd("TOP 1 1").get(1));
        assertEquals(M1 + ".\r\n", c.cmd("TOP 1 50").get(1));
        assertStartsWith("-ERR", c.one("TOP 1"));
        assertStartsWith("-ERR", c.one("TOP 1 -1"));
        assertStartsWith("-ERR", c.one("TOP 1 x"));
        assertStartsWith("-ERR", c.one("TOP 7 1"));
    }

    @Test
    public void deletedMessageIsHiddenUntilRset() {
        Client c = secure();
        c.login("alice", "secret");
        assertStartsWith("+OK", c.one("DELE 2"));
        assertEquals("+OK 2 " + (M1.length() + M3.length()), c.one("STAT"));
        assertEquals(
                List.of(
                        "+OK 2 messages (" + (M1.length() + M3.length()) + " octets)",
                        "1 " + M1.length(),
                        "3 " + M3.length(),
                        "."),
                c.cmd("LIST"));
        assertEquals(4, c.cmd("UIDL").size());
        assertStartsWith("-ERR", c.one("LIST 2"));
        assertStartsWith("-ERR", c.one("UIDL 2"));
        assertStartsWith("-ERR", c.one("RETR 2"));
        assertStartsWith("-ERR", c.one("TOP 2 0"));
        assertStartsWith("-ERR", c.one("DELE 2"));
        assertTrue(store.deleteCalls.isEmpty());
        assertStartsWith("+OK", c.one("RSET"));
        assertEquals("+OK 3 " + TOTAL, c.one("STAT"));
        assertEquals(2, c.cmd("RETR 2").size());
    }

    @Test
    public void quitDeletesMarkedMessages() {
        Client c = secure();
        c.login("alice", "secret");
        List<String> uids = store.uids("alice");
        c.one("DELE 1");
        c.one("DELE 3");
        assertTrue(store.deleteCalls.isEmpty());
        assertStartsWith("+OK", c.one("QUIT"));
        assertEquals(List.of("alice:" + uids.get(0) + "," + uids.get(2)), store.deleteCalls);
        assertEquals(List.of(uids.get(1)), store.uids("alice"));
        assertTrue(c.connection.closed);
        assertStartsWith("+OK", c.connection.closeReply);
    }

    @Test
    public void quitWithoutDeletionsDoesNotTouchTheStore() {
        Client c = secure();
        c.login("alice", "secret");
        c.one("DELE 1");
        c.one("RSET");
        assertStartsWith("+OK", c.one("QUIT"));
        assertTrue(store.deleteCalls.isEmpty());
        assertTrue(c.connection.closed);
    }

    @Test
    public void quitInAuthorizationClosesWithoutStoreAccess() {
        Client c = secure();
        assertStartsWith("+OK", c.one("QUIT"));
        assertTrue(c.connection.closed);
        assertTrue(store.deleteCalls.isEmpty());
    }

    @Test
    public void droppedConnectionDeletesNothingAndReleasesTheMailbox() {
        Client c = secure();
        c.login("alice", "secret");
        c.one("DELE 1");
        c.session.onClosed();
        assertEquals(1, c.closedCallbacks.get());
        assertTrue(store.deleteCalls.isEmpty());
        assertEquals(3, store.uids("alice").size());
        Client next = secure();
        assertEquals("+OK", next.one("USER alice"));
        assertStartsWith("+OK Logged in, 3 messages", next.one("PASS secret"));
    }

    @Test
    public void idleTimeoutDeletesNothingAndReleasesTheMailbox() {
        Client c = secure();
        c.login("alice", "secret");
        c.one("DELE 1");
        c.connection.fresh();
        c.session.onIdle();
        assertStartsWith("-ERR", c.connection.last());
        c.raw("QUIT");
        assertTrue("lines after idle are ignored", c.connection.fresh().isEmpty());
        assertTrue(store.deleteCalls.isEmpty());
        Client next = secure();
        next.login("alice", "secret");
        assertEquals("+OK 3 " + TOTAL, next.one("STAT"));
    }

    @Test
    public void shutdownClosesWithoutDeleting() {
        Client c = secure();
        c.login("alice", "secret");
        c.one("DELE 1");
        c.session.shutdown();
        assertTrue(c.connection.closed);
        assertStartsWith("-ERR [SYS/TEMP]", c.connection.closeReply);
        c.session.onClosed();
        assertTrue(store.deleteCalls.isEmpty());
        secure().login("alice", "secret");
    }

    @Test
    public void secondSessionIsInUseUntilTheFirstQuits() {
        Client first = secure();
        first.login("alice", "secret");
        Client second = secure();
        second.one("USER alice");
        assertStartsWith("-ERR [IN-USE]", second.one("PASS secret"));
        assertEquals("-ERR Not logged in", second.one("STAT"));
        secure().login("bob", "hunter2");
        first.one("QUIT");
        second.one("USER alice");
        assertStartsWith("+OK Logged in", second.one("PASS secret"));
    }

    @Test
    public void secondSessionGetsInAfterTheFirstDrops() {
        Client first = secure();
        first.login("alice", "secret");
        Client second = secure();
        assertStartsWith("-ERR [IN-USE]", second.one("AUTH PLAIN " + b64("\0alice\0secret")));
        first.session.onClosed();
        assertStartsWith("+OK Logged in", second.one("AUTH PLAIN " + b64("\0alice\0secret")));
    }

    @Test
    public void loginDelayIsEnforced() {
        settings = settings(false, 60, Duration.ofMillis(100), 10);
        Client first = secure();
        first.login("alice", "secret");
        first.one("QUIT");
        Client second = secure();
        second.one("USER alice");
        assertStartsWith("-ERR [LOGIN-DELAY]", second.one("PASS secret"));
        secure().login("bob", "hunter2");
        clock.addAndGet(59_999);
        second.one("USER alice");
        assertStartsWith("-ERR [LOGIN-DELAY]", second.one("PASS secret"));
        clock.addAndGet(1);
        second.one("USER alice");
        assertStartsWith("+OK Logged in", second.one("PASS secret"));
    }

    @Test
    public void aLoginThatFailsInTheStoreDoesNotCountForLoginDelay() {
        settings = settings(false, 60, Duration.ofMillis(100), 10);
        store.failList = new StoreException("disk busy", true);
        Client first = secure();
        first.one("USER alice");
        assertStartsWith("-ERR [SYS/TEMP]", first.one("PASS secret"));
        store.failList = null;
        first.one("USER alice");
        assertStartsWith("+OK Logged in", first.one("PASS secret"));
    }

    @Test
    public void loginDelayRefusalDoesNotKeepTheMailboxLocked() {
        settings = settings(false, 60, Duration.ofMillis(100), 10);
        Client first = secure();
        first.login("alice", "secret");
        first.one("QUIT");
        Client c = secure();
        c.one("USER alice");
        assertStartsWith("-ERR [LOGIN-DELAY]", c.one("PASS secret"));
        Object other = new Object();
        assertTrue(locks.tryLock("alice", other));
        locks.unlock("alice", other);
    }

    @Test
    public void loginDelayZeroAllowsImmediateRelogin() {
        Client first = secure();
        first.login("alice", "secret");
        first.one("QUIT");
        secure().login("alice", "secret");
    }

    @Test
    public void aDamagedMessageIsAnErrorForThatMessageOnly() {
        Client c = secure();
        c.login("alice", "secret");
        store.failOpen = new org.mailroom.api.store.DamagedMessageException("uid-2: segment 0 fails authentication");
        assertEquals("-ERR Message 2 is damaged and cannot be read", c.one("RETR 2"));
        assertEquals("-ERR Message 2 is damaged and cannot be read", c.one("TOP 2 0"));
        store.failOpen = null;
        assertEquals(M1 + ".\r\n", c.cmd("RETR 1").get(1));
        assertFalse(c.connection.closed);
        assertStartsWith("+OK", c.one("QUIT"));
    }

    @Test
    public void messageGoneIsAnErrorForThatMessageOnly() {
        Client c = secure();
        c.login("alice", "secret");
        store.remove("alice", store.uids("alice").get(1));
        assertEquals("-ERR Message 2 is no longer available", c.one("RETR 2"));
        assertStartsWith("-ERR", c.one("TOP 2 1"));
        assertEquals("+OK 3 " + TOTAL, c.one("STAT"));
        assertEquals(M1 + ".\r\n", c.cmd("RETR 1").get(1));
        assertFalse(c.connection.closed);
        c.one("DELE 2");
        assertStartsWith("+OK", c.one("QUIT"));
    }

    // ---- services missing or failing

    @Test
    public void missingStoreAtLoginIsTemporaryAfterTheWait() {
        services.store = null;
        Client c = secure();
        c.one("USER alice");
        c.raw("PASS secret");
        assertTrue(c.connection.fresh().isEmpty());
        assertFalse("waits without holding a thread", c.connection.pending.isEmpty());
        long start = System.nanoTime();
        c.connection.drainPauses(DRAIN_LIMIT);
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(90).toNanos());
        assertStartsWith("-ERR [SYS/TEMP]", c.connection.last());
        assertEquals("-ERR Not logged in", c.one("STAT"));
        services.store = store;
        c.one("USER alice");
        assertStartsWith("+OK Logged in", c.one("PASS secret"));
    }

    @Test
    public void storeAppearingDuringTheWaitIsUsed() {
        settings = settings(false, 0, Duration.ofSeconds(30), 10);
        services.store = null;
        Client c = secure();
        c.one("USER alice");
        c.raw("PASS secret");
        for (int i = 0; i < 3; i++) {
            assertTrue(c.connection.runOnePause());
        }
        assertTrue(c.connection.fresh().isEmpty());
        assertEquals(1, c.connection.pending.size());
        services.store = store;
        c.connection.drainPauses(DRAIN_LIMIT);
        assertEquals(List.of("+OK Logged in, 3 messages (" + TOTAL + " octets)"), c.connection.freshText());
        assertEquals("the login answer, then three waits for the store", 3, c.connection.pauses.size());
    }

    @Test
    public void storeAppearingDuringRetrIsUsed() {
        settings = settings(false, 0, Duration.ofSeconds(30), 10);
        Client c = secure();
        c.login("alice", "secret");
        services.store = null;
        c.raw("RETR 1");
        assertTrue(c.connection.runOnePause());
        assertTrue(c.connection.fresh().isEmpty());
        services.store = store;
        c.connection.drainPauses(DRAIN_LIMIT);
        assertEquals(List.of("+OK " + M1.length() + " octets", M1 + ".\r\n"), c.connection.freshText());
    }

    @Test
    public void connectionClosedDuringTheWaitSendsNothingAndReleasesTheMailbox() {
        settings = settings(false, 0, Duration.ofSeconds(30), 10);
        services.store = null;
        Client c = secure();
        c.one("USER alice");
        c.raw("PASS secret");
        assertTrue(c.connection.runOnePause());
        c.session.onClosed();
        c.connection.drainPauses(DRAIN_LIMIT);
        assertTrue(c.connection.fresh().isEmpty());
        services.store = store;
        secure().login("alice", "secret");
    }

    @Test
    public void missingStoreAtQuitKeepsMessages() {
        Client c = secure();
        c.login("alice", "secret");
        c.one("DELE 1");
        services.store = null;
        List<String> reply = c.cmd("QUIT");
        assertEquals(1, reply.size());
        assertStartsWith("-ERR [SYS/TEMP]", reply.get(0));
        assertTrue(c.connection.closed);
        assertEquals(3, store.uids("alice").size());
        services.store = store;
        secure().login("alice", "secret");
    }

    @Test
    public void anUnavailableLoginIsTemporaryAndNotAFailure() {
        services.authenticator = null;
        Client c = secure();
        c.one("USER alice");
        assertStartsWith("-ERR [SYS/TEMP]", c.one("PASS secret"));
        assertTrue(services.logins.failures.isEmpty());
        services.authenticator = passwords;
        passwords.unavailable = true;
        c.one("USER alice");
        assertStartsWith("-ERR [SYS/TEMP]", c.one("PASS secret"));
        assertTrue(services.logins.failures.isEmpty());
        passwords.unavailable = false;
        c.one("USER alice");
        assertStartsWith("+OK Logged in", c.one("PASS secret"));
    }

    @Test
    public void missingLoginServiceIsTemporaryAfterTheWait() {
        services.loginServiceMissing = true;
        Client c = secure();
        c.one("USER alice");
        c.raw("PASS secret");
        assertTrue(c.connection.fresh().isEmpty());
        assertFalse(c.connection.pending.isEmpty());
        c.connection.drainPauses(DRAIN_LIMIT);
        assertStartsWith("-ERR [SYS/TEMP]", c.connection.last());
    }

    @Test
    public void loginServiceAppearingDuringTheWaitIsUsed() {
        settings = settings(false, 0, Duration.ofSeconds(30), 10);
        services.loginServiceMissing = true;
        Client c = secure();
        c.raw("AUTH PLAIN " + b64("\0alice\0secret"));
        assertTrue(c.connection.runOnePause());
        services.loginServiceMissing = false;
        c.connection.drainPauses(DRAIN_LIMIT);
        assertStartsWith("+OK Logged in", c.connection.last());
        assertEquals("alice", c.connection.authenticatedUser);
    }

    @Test
    public void anAttemptCutShortByTheLoginServiceStoppingGoesToTheNextOne() {
        settings = settings(false, 0, Duration.ofSeconds(30), 10);
        TestServices.TestLogins first = services.logins;
        services.loginOverride = new org.mailroom.api.auth.LoginService() {
            @Override
            public java.util.concurrent.CompletionStage<org.mailroom.api.auth.AuthResult> login(
                    org.mailroom.api.auth.Credentials credentials, java.net.InetAddress client, String protocol) {
                // stops while checking: answers UNAVAILABLE and is replaced by the next bundle version
                services.loginOverride = first;
                return java.util.concurrent.CompletableFuture.completedFuture(
                        org.mailroom.api.auth.AuthResult.unavailable(credentials.user(), "login service stopping"));
            }

            @Override
            public java.util.concurrent.CompletionStage<org.mailroom.api.auth.AuthResult> reject(
                    String user, String reason, java.net.InetAddress client, String protocol) {
                throw new AssertionError();
            }
        };
        Client c = secure();
        c.one("USER alice");
        c.raw("PASS secret");
        c.connection.drainPauses(DRAIN_LIMIT);
        assertStartsWith("+OK Logged in", c.connection.last());
    }

    @Test
    public void authenticatorThrowingIsTemporary() {
        services.authenticator = credentials -> {
            throw new IllegalStateException("bundle stopping");
        };
        Client c = secure();
        c.one("USER alice");
        assertStartsWith("-ERR [SYS/TEMP]", c.one("PASS secret"));
    }

    @Test
    public void temporaryStoreFailureAtLogin() {
        store.failList = new StoreException("disk busy", true);
        Client c = secure();
        c.one("USER alice");
        assertStartsWith("-ERR [SYS/TEMP]", c.one("PASS secret"));
        assertEquals("-ERR Not logged in", c.one("STAT"));
        store.failList = null;
        c.one("USER alice");
        assertStartsWith("+OK Logged in", c.one("PASS secret"));
    }

    @Test
    public void permanentStoreFailureAtLogin() {
        store.failList = new StoreException("mailbox corrupt", false);
        Client c = secure();
        c.one("USER alice");
        assertStartsWith("-ERR [SYS/PERM]", c.one("PASS secret"));
        assertEquals("-ERR Not logged in", c.one("STAT"));
        store.failList = null;
        secure().login("alice", "secret");
    }

    @Test
    public void storeFailuresDuringRetr() {
        Client c = secure();
        c.login("alice", "secret");
        store.failOpen = new StoreException("io", true);
        assertStartsWith("-ERR [SYS/TEMP]", c.one("RETR 1"));
        store.failOpen = new StoreException("gone bad", false);
        assertStartsWith("-ERR [SYS/PERM]", c.one("TOP 1 0"));
        store.failOpen = null;
        assertEquals(2, c.cmd("RETR 1").size());
    }

    @Test
    public void storeFailureAtQuitKeepsMessages() {
        Client c = secure();
        c.login("alice", "secret");
        c.one("DELE 2");
        store.failDelete = new StoreException("read-only", false);
        assertStartsWith("-ERR [SYS/PERM]", c.one("QUIT"));
        assertTrue(c.connection.closed);
        assertEquals(3, store.uids("alice").size());
        store.failDelete = null;
        secure().login("alice", "secret");
    }

    // ---- command handling

    @Test
    public void tooManyBadCommandsClosesTheConnection() {
        settings = settings(false, 0, Duration.ofMillis(100), 3);
        Client c = secure();
        assertStartsWith("-ERR", c.one("FOO"));
        assertStartsWith("-ERR", c.one("STAT"));
        assertFalse(c.connection.closed);
        assertStartsWith("-ERR", c.one("BAR"));
        assertTrue(c.connection.closed);
        assertStartsWith("-ERR", c.connection.closeReply);
        assertTrue(c.cmd("CAPA").isEmpty());
    }

    @Test
    public void failedLoginsCountAsBadCommands() {
        settings = settings(false, 0, Duration.ofMillis(100), 2);
        Client c = secure();
        c.one("USER alice");
        c.cmd("PASS a");
        assertFalse(c.connection.closed);
        c.one("USER alice");
        c.cmd("PASS b");
        assertTrue(c.connection.closed);
    }

    @Test
    public void tooManyBadCommandsInTransactionDeletesNothing() {
        settings = settings(false, 0, Duration.ofMillis(100), 2);
        Client c = secure();
        c.login("alice", "secret");
        c.one("DELE 1");
        c.one("RETR 1");
        c.cmd("XYZZY");
        assertTrue(c.connection.closed);
        assertTrue(store.deleteCalls.isEmpty());
        secure().login("alice", "secret");
    }

    @Test
    public void commandsAreCaseInsensitive() {
        Client c = secure();
        assertTrue(capabilities(c.cmd("capa")).contains("USER"));
        assertEquals("+OK", c.one("uSeR alice"));
        assertStartsWith("+OK Logged in", c.one("pass secret"));
        assertEquals("+OK 3 " + TOTAL, c.one("stat"));
        assertEquals(5, c.cmd("List").size());
        assertEquals(2, c.cmd("retr 1").size());
        assertEquals(2, c.cmd("top 1 0").size());
        assertStartsWith("+OK", c.one("dele 1"));
        assertStartsWith("+OK", c.one("rset"));
        assertStartsWith("+OK", c.one("Noop"));
        assertStartsWith("+OK", c.one("quit"));
        assertTrue(c.connection.closed);
    }

    @Test
    public void invalidUtf8CommandIsRejected() {
        Client c = secure();
        c.connection.fresh();
        c.session.onLine(new byte[] {'U', 'S', 'E', 'R', ' ', (byte) 0xFF, (byte) 0xFE});
        assertEquals(List.of("-ERR Invalid UTF-8 in command"), c.connection.freshText());
        assertEquals("+OK", c.one("USER alice"));
    }

    @Test
    public void utf8UserNameIsAccepted() {
        passwords.with("jöran", "pässwörd");
        store.add("jöran", M1);
        Client c = secure();
        assertStartsWith("+OK", c.one("UTF8"));
        assertEquals("+OK", c.one("USER jöran"));
        assertStartsWith("+OK Logged in, 1 messages", c.one("PASS pässwörd"));
        assertStartsWith("-ERR", c.one("UTF8"));
    }

    @Test
    public void lineTooLongIsAnError() {
        Client c = secure();
        c.connection.fresh();
        c.session.onLineTooLong();
        assertStartsWith("-ERR", c.connection.last());
        assertFalse(c.connection.closed);
    }

    @Test
    public void stlsStartsTls() {
        Client c = insecure(true);
        c.connection.fresh();
        c.session.onLine("STLS".getBytes(UTF_8));
        assertEquals(List.of("+OK Begin TLS negotiation now"), c.connection.startTlsReplies);
        assertTrue(c.connection.secure);
        assertStartsWith("-ERR", c.one("STLS"));
        assertEquals(1, c.connection.startTlsReplies.size());
        List<String> caps = capabilities(c.cmd("CAPA"));
        assertFalse(caps.contains("STLS"));
        assertTrue(caps.contains("USER"));
        c.login("alice", "secret");
    }

    @Test
    public void stlsForgetsAPendingUser() {
        Client c = new Client(false, true, true);
        c.one("USER alice");
        c.one("STLS");
        assertEquals(1, c.connection.startTlsReplies.size());
        assertEquals("-ERR USER first", c.one("PASS secret"));
    }

    @Test
    public void stlsRefusedWhenAlreadySecureOrUnavailable() {
        Client implicit = new Client(true, false, true);
        assertEquals("-ERR TLS is already active", implicit.one("STLS"));
        Client noCertificate = insecure(false);
        assertStartsWith("-ERR", noCertificate.one("STLS"));
        assertTrue(implicit.connection.startTlsReplies.isEmpty());
        assertTrue(noCertificate.connection.startTlsReplies.isEmpty());
    }

    @Test
    public void transactionCommandsRefusedBeforeLogin() {
        settings = settings(false, 0, Duration.ofMillis(100), 100);
        Client c = secure();
        for (String command :
                new String[] {"STAT", "LIST", "LIST 1", "UIDL", "RETR 1", "TOP 1 0", "DELE 1", "RSET", "NOOP"}) {
            assertEquals(command, "-ERR Not logged in", c.one(command));
        }
        assertEquals("-ERR USER first", c.one("PASS secret"));
        assertStartsWith("-ERR", c.one("APOP alice 0123456789abcdef0123456789abcdef"));
        assertStartsWith("-ERR", c.one("USER"));
        assertTrue(store.deleteCalls.isEmpty());
    }

    @Test
    public void authorizationCommandsRefusedAfterLogin() {
        Client c = secure();
        c.login("alice", "secret");
        List<String> refused = new ArrayList<>();
        for (String command : new String[] {
            "USER bob", "PASS hunter2", "AUTH PLAIN " + b64("\0bob\0hunter2"), "STLS", "APOP bob x", "UTF8"
        }) {
            refused.add(c.one(command));
        }
        for (String reply : refused) {
            assertStartsWith("-ERR", reply);
        }
        assertEquals(List.of("alice"), passwords.attempts);
        assertEquals("+OK 3 " + TOTAL, c.one("STAT"));
    }

    @Test
    public void closedSessionIgnoresFurtherInput() {
        Client c = secure();
        c.session.onClosed();
        assertEquals(1, c.closedCallbacks.get());
        assertTrue(c.cmd("CAPA").isEmpty());
        assertTrue(c.cmd("USER alice").isEmpty());
    }
}
