package org.mailroom.filter.spamd.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.mailroom.filter.spamd.internal.TestMessages.config;
import static org.mailroom.filter.spamd.internal.TestMessages.context;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.FilterVerdict.Action;
import org.mailroom.api.filter.HeaderChange;
import org.mailroom.api.filter.MimeField;
import org.mailroom.testing.Heap;

/** The adapter against a fake spamd on a loopback port: scores to verdicts, failures, timeouts, streaming. */
public class SpamdFilterTest {

    private static final String MESSAGE =
            "From: a@example.org\r\nSubject: offer\r\nX-Spam-Flag: NO\r\n" + "x-spam-score: -100\r\n\r\nbuy now\r\n";

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private FakeSpamd spamd;

    @After
    public void stop() throws Exception {
        if (spamd != null) {
            spamd.close();
        }
    }

    /** Runs a session as the delivery does: the header fields first, then finish. */
    private FilterVerdict scan(Map<String, Object> properties, FilterContext context) {
        SpamdFilter filter = new SpamdFilter();
        filter.activate(properties);
        FilterSession session = filter.open(context);
        session.header(new MimeField("From", "a@example.org", "a@example.org"));
        session.header(new MimeField("X-Spam-Flag", "NO", "NO"));
        session.header(new MimeField("x-spam-score", "-100", "-100"));
        return session.finish();
    }

    private FilterVerdict scan(Map<String, Object> properties) {
        return scan(properties, context("s1-0", MESSAGE));
    }

    private static List<HeaderChange> removals() {
        return List.of(
                new HeaderChange(false, "X-Spam-Flag", ""),
                new HeaderChange(false, "x-spam-score", ""),
                new HeaderChange(false, "X-Spam-Status", ""));
    }

    @Test
    public void spamIsTaggedWithFlagAndStatusAfterTheSendersFieldsAreRemoved() throws Exception {
        spamd = FakeSpamd.tcp();
        FilterVerdict v = scan(config(spamd.address()));
        assertEquals(Action.ACCEPT, v.action());
        List<HeaderChange> expected = new java.util.ArrayList<>(removals());
        expected.add(new HeaderChange(true, "X-Spam-Flag", "YES"));
        expected.add(new HeaderChange(true, "X-Spam-Status", "Yes, score=7.1 required=5.0 tests=GTUBE, MISSING_DATE"));
        assertEquals(expected, v.headerChanges());
        assertEquals(
                "SYMBOLS SPAMC/1.5\r\nContent-length: " + MESSAGE.length() + "\r\nUser: mailroom\r\n\r\n",
                spamd.request);
        assertEquals("spamd got the message as it is", MESSAGE, spamd.head);
    }

    @Test
    public void hamGetsStatusNoAndTheUserCanBeTheLocalUser() throws Exception {
        spamd = FakeSpamd.tcp();
        spamd.spam = "False ; -0.1 / 5.0";
        spamd.rules = "";
        FilterVerdict v = scan(config(spamd.address(), "user", "%u"));
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(
                new HeaderChange(true, "X-Spam-Status", "No, score=-0.1 required=5.0 tests=none"),
                v.headerChanges().get(3));
        assertEquals(4, v.headerChanges().size());
        assertTrue(spamd.request, spamd.request.contains("\r\nUser: bob\r\n"));
    }

    @Test
    public void tagQuarantineAndRejectScoresOverrideSpamdsThreshold() throws Exception {
        spamd = FakeSpamd.tcp();
        spamd.spam = "False ; 4.0 / 5.0";
        FilterVerdict v = scan(config(spamd.address(), "tagScore", "3.5"));
        assertEquals(
                "Yes, score=4.0 required=3.5 tests=GTUBE, MISSING_DATE",
                v.headerChanges().get(4).value());

        spamd.spam = "True ; 7.1 / 5.0";
        v = scan(config(spamd.address(), "quarantineScore", "6", "rejectScore", "10"));
        assertEquals(Action.QUARANTINE, v.action());
        assertEquals("spam, score=7.1 required=5.0 tests=GTUBE, MISSING_DATE (spamassassin)", v.reason());

        v = scan(config(spamd.address(), "quarantineScore", "6", "rejectScore", "7.1"));
        assertEquals(Action.REJECT, v.action());
        assertEquals("550 5.7.1 Message refused as spam", v.reply());
    }

    @Test
    public void anErrorReplyIsTaggedNotScannedOrDeferred() throws Exception {
        spamd = FakeSpamd.tcp();
        spamd.mode = FakeSpamd.Mode.ERROR;
        FilterVerdict v = scan(config(spamd.address()));
        assertEquals(Action.ACCEPT, v.action());
        List<HeaderChange> expected = new java.util.ArrayList<>(removals());
        expected.add(new HeaderChange(true, "X-Spam-Status", "not scanned (scanner error)"));
        assertEquals(expected, v.headerChanges());

        v = scan(config(spamd.address(), "onFailure", "defer"));
        assertEquals("451 4.7.1 Spam scanner unavailable, try again later", v.reply());
        assertTrue(v.reason(), v.reason().contains("SPAMD/1.0 76 Bad header line"));
    }

    @Test
    public void aDaemonThatIsDownIsTaggedAtOnceOrDeferred() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long start = System.nanoTime();
        FilterVerdict v = scan(config("tcp:127.0.0.1:" + port, "timeoutSeconds", "5"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(
                "not scanned (scanner unreachable)", v.headerChanges().get(3).value());
        assertTrue("a refused connection does not wait for the timeout: " + millis + " ms", millis < 2000);
        v = scan(config("tcp:127.0.0.1:" + port, "onFailure", "defer"));
        assertEquals("451 4.7.1 Spam scanner unavailable, try again later", v.reply());
    }

    @Test
    public void aDaemonThatNeverAnswersTimesOutAfterTheConfiguredSecond() throws Exception {
        spamd = FakeSpamd.tcp();
        spamd.mode = FakeSpamd.Mode.SILENT;
        long start = System.nanoTime();
        FilterVerdict v = scan(config(spamd.address(), "timeoutSeconds", "1", "onFailure", "defer"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Action.DEFER, v.action());
        assertTrue(v.reason(), v.reason().contains("no progress waiting for the reply for 1.0 s"));
        assertTrue("timed out after " + millis + " ms", millis >= 950 && millis < 3000);

        start = System.nanoTime();
        v = scan(
                config(spamd.address(), "timeoutSeconds", "1", "maxScanSize", "0"),
                context("s2-0", 20_000_000, () -> TestMessages.generated(20_000_000)));
        millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("not scanned (scanner timed out)", v.headerChanges().get(3).value());
        assertTrue("a stalled send timed out after " + millis + " ms", millis >= 950 && millis < 3000);
    }

    @Test
    public void aMessageAboveMaxScanSizeIsNotSentAsSpamcDoes() throws Exception {
        spamd = FakeSpamd.tcp();
        long size = 512_001;
        FilterVerdict v = scan(config(spamd.address()), context("s3-0", size, () -> TestMessages.generated(size)));
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(
                "not scanned (larger than 512000 octets)",
                v.headerChanges().get(3).value());
        v = scan(
                config(spamd.address(), "onTooLarge", "reject"),
                context("s3-1", size, () -> TestMessages.generated(size)));
        assertEquals("552 5.3.4 Message too large for the spam scanner", v.reply());
        assertEquals("spamd never saw a connection", 0, spamd.connections.get());
        v = scan(config(spamd.address()), context("s3-2", 512_000, () -> TestMessages.generated(512_000)));
        assertEquals("at the limit: scanned", "YES", v.headerChanges().get(3).value());
        assertEquals(512_000, spamd.received.get());
    }

    @Test
    public void aUnixSocketAddressWorks() throws Exception {
        Path socket = folder.getRoot().toPath().resolve("spamd.sock");
        spamd = FakeSpamd.unix(socket);
        FilterVerdict v = scan(config("unix:" + socket));
        assertEquals("YES", v.headerChanges().get(3).value());
        assertEquals(MESSAGE, spamd.head);
    }

    @Test
    public void aMessageShorterThanItsSizeIsNotScanned() throws Exception {
        spamd = FakeSpamd.tcp();
        byte[] octets = MESSAGE.getBytes(US_ASCII);
        FilterVerdict v = scan(
                config(spamd.address(), "onFailure", "defer"),
                context("s4-0", octets.length + 10, () -> new ByteArrayInputStream(octets)));
        assertEquals(Action.DEFER, v.action());
        assertTrue(v.reason(), v.reason().contains("the message ended after " + octets.length));
    }

    @Test
    public void aTwentyMegabyteMessageStreamsWithoutGrowingTheHeap() throws Exception {
        spamd = FakeSpamd.tcp();
        long size = 20L * 1024 * 1024 + 12345;
        long[] peak = new long[1];
        spamd.progress = n -> {
            if (n >= 10_000_000 && peak[0] == 0) {
                peak[0] = Heap.usedAfterGc();
            }
        };
        long before = Heap.usedAfterGc();
        long start = System.nanoTime();
        FilterVerdict v = scan(
                config(spamd.address(), "maxScanSize", "0"), context("s5-0", size, () -> TestMessages.generated(size)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("YES", v.headerChanges().get(3).value());
        assertEquals("every octet reached spamd", size, spamd.received.get());
        assertTrue(spamd.request, spamd.request.contains("Content-length: " + size + "\r\n"));
        long growth = peak[0] - before;
        System.out.println(
                "20 MB to the fake spamd in " + millis + " ms; heap grew " + growth / 1024 + " KiB half-way through");
        assertTrue("heap grew by " + growth + " octets half-way through a 20 MB message", growth < 8_000_000);
    }

    @Test
    public void badSettingsNameTheFileAndKeyAndAnEditKeepsThePrevious() throws Exception {
        for (String[] bad : new String[][] {
            {"address", "localhost:783", "key address: 'localhost:783' is neither tcp:HOST:PORT nor unix:/PATH"},
            {"user", "two words", "key user: 'two words' is not a user name (letters, digits and . _ @ + - %u)"},
            {"timeoutSeconds", "3601", "key timeoutSeconds: 3601 is not 1..3600"},
            {"onFailure", "tag", "key onFailure: must be defer or accept-tag, not 'tag'"},
            {"maxScanSize", "500K", "key maxScanSize: '500K' is not a whole number"},
            {"tagScore", "high", "key tagScore: 'high' is not a score (a number such as 5.0)"},
            {"rejectScore", "NaN", "key rejectScore: 'NaN' is not a score (a number such as 5.0)"},
        }) {
            Map<String, Object> p = config("tcp:127.0.0.1:783", bad[0], bad[1]);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> new SpamdFilter().activate(p));
            assertEquals("Bad configuration in file:/etc/org.mailroom.filter.spamd.cfg: " + bad[2], e.getMessage());
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new SpamdFilter()
                        .activate(config("tcp:127.0.0.1:783", "quarantineScore", "10", "rejectScore", "8")));
        assertTrue(e.getMessage(), e.getMessage().endsWith("key rejectScore: 8.0 is below quarantineScore 10.0"));

        SpamdFilter filter = new SpamdFilter();
        filter.activate(config("tcp:127.0.0.1:783"));
        SpamdSettings before = filter.settings();
        assertEquals(512_000, before.maxScanSize());
        assertEquals(SpamdSettings.OnFailure.ACCEPT_TAG, before.onFailure());
        filter.modified(config("unix:/run/spamd.sock", "tagScore", "x"));
        assertSame("a bad edit keeps the settings", before, filter.settings());
        filter.modified(config("unix:/run/spamd.sock", "rejectScore", "15"));
        assertEquals("unix:/run/spamd.sock", filter.settings().address().toString());
        assertEquals(15.0, filter.settings().rejectScore().getAsDouble(), 0);
    }
}
