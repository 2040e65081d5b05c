package org.mailroom.filter.clamav.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.mailroom.filter.clamav.internal.TestMessages.config;
import static org.mailroom.filter.clamav.internal.TestMessages.context;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.FilterVerdict.Action;
import org.mailroom.api.filter.HeaderChange;
import org.mailroom.testing.Heap;

/** The adapter against a fake clamd on a loopback port: the verdicts, failures, timeouts and streaming. */
public class ClamavFilterTest {

    private static final String MESSAGE =
            "From: a@example.org\r\nSubject: hello\r\nX-Mailroom-Virus-Scan: clean (forged)\r\n\r\nhello\r\n";

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private FakeClamd clamd;

    @After
    public void stop() throws Exception {
        if (clamd != null) {
            clamd.close();
        }
    }

    private FilterVerdict scan(Map<String, Object> properties, String message) {
        ClamavFilter filter = new ClamavFilter();
        filter.activate(properties);
        return filter.open(context("q1-0", message)).finish();
    }

    @Test
    public void aCleanMessageIsStreamedWholeAndTaggedReplacingAForgedTag() throws Exception {
        clamd = FakeClamd.tcp();
        FilterVerdict v = scan(config(clamd.address()), MESSAGE);
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(
                List.of(
                        new HeaderChange(false, "X-Mailroom-Virus-Scan", ""),
                        new HeaderChange(true, "X-Mailroom-Virus-Scan", "clean (clamav)")),
                v.headerChanges());
        assertEquals("zINSTREAM", clamd.command);
        assertEquals("clamd got the message as it is", MESSAGE, clamd.headText());
    }

    @Test
    public void anEmptyHeaderKeyAddsNoHeader() throws Exception {
        clamd = FakeClamd.tcp();
        FilterVerdict v = scan(config(clamd.address(), "header", ""), MESSAGE);
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(List.of(), v.headerChanges());
    }

    @Test
    public void anInfectedMessageIsRejectedWith554NamingTheSignatureOrQuarantined() throws Exception {
        clamd = FakeClamd.tcp();
        clamd.mode = FakeClamd.Mode.INFECTED;
        FilterVerdict v = scan(config(clamd.address()), MESSAGE);
        assertEquals(Action.REJECT, v.action());
        assertEquals("554 5.7.1 Virus found: Win.Test.Fake-1", v.reply());
        assertEquals("virus Win.Test.Fake-1 (clamav)", v.reason());

        v = scan(config(clamd.address(), "onVirus", "quarantine"), MESSAGE);
        assertEquals(Action.QUARANTINE, v.action());
        assertEquals("virus Win.Test.Fake-1 (clamav)", v.reason());
    }

    @Test
    public void anErrorReplyDefersOrIsDeliveredTaggedNotScanned() throws Exception {
        clamd = FakeClamd.tcp();
        clamd.mode = FakeClamd.Mode.ERROR;
        FilterVerdict v = scan(config(clamd.address()), MESSAGE);
        assertEquals(Action.DEFER, v.action());
        assertEquals("451 4.7.1 Virus scanner unavailable, try again later", v.reply());
        assertTrue(v.reason(), v.reason().contains("Can't allocate memory ERROR"));

        v = scan(config(clamd.address(), "onFailure", "accept-tag"), MESSAGE);
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(
                new HeaderChange(true, "X-Mailroom-Virus-Scan", "not scanned (scanner error)"),
                v.headerChanges().get(1));
    }

    @Test
    public void aDaemonThatIsDownDefersAtOnceOrIsTagged() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long start = System.nanoTime();
        FilterVerdict v = scan(config("tcp:127.0.0.1:" + port, "timeoutSeconds", "5"), MESSAGE);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Action.DEFER, v.action());
        assertEquals("451 4.7.1 Virus scanner unavailable, try again later", v.reply());
        assertTrue(v.reason(), v.reason().contains("Connection refused"));
        assertTrue("a refused connection does not wait for the timeout: " + millis + " ms", millis < 2000);

        v = scan(config("tcp:127.0.0.1:" + port, "onFailure", "accept-tag"), MESSAGE);
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(
                "not scanned (scanner unreachable)", v.headerChanges().get(1).value());

        v = scan(config("unix:" + folder.getRoot() + "/no-such.sock"), MESSAGE);
        assertEquals("a UNIX socket that is not there", Action.DEFER, v.action());
    }

    @Test
    public void aDaemonThatNeverAnswersTimesOutAfterTheConfiguredSecond() throws Exception {
        clamd = FakeClamd.tcp();
        clamd.mode = FakeClamd.Mode.SILENT;
        long start = System.nanoTime();
        FilterVerdict v = scan(config(clamd.address(), "timeoutSeconds", "1"), MESSAGE);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Action.DEFER, v.action());
        assertTrue(v.reason(), v.reason().contains("no progress waiting for the reply for 1.0 s"));
        assertTrue("timed out after " + millis + " ms", millis >= 950 && millis < 3000);

        // A large message to a daemon that reads nothing: the send stalls, and times out the same.
        ClamavFilter filter = new ClamavFilter();
        filter.activate(config(clamd.address(), "timeoutSeconds", "1", "onFailure", "accept-tag"));
        start = System.nanoTime();
        v = filter.open(context("q2-0", 20_000_000, () -> TestMessages.generated(20_000_000)))
                .finish();
        millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("not scanned (scanner timed out)", v.headerChanges().get(1).value());
        assertTrue("timed out after " + millis + " ms", millis >= 950 && millis < 3000);
    }

    @Test
    public void clamdsSizeLimitStopsTheStreamAndCountsAsAFailure() throws Exception {
        clamd = FakeClamd.tcp();
        clamd.mode = FakeClamd.Mode.LIMIT;
        clamd.limit = 100_000;
        ClamavFilter filter = new ClamavFilter();
        filter.activate(config(clamd.address(), "onFailure", "accept-tag"));
        FilterVerdict v = filter.open(context("q3-0", 5_000_000, () -> TestMessages.generated(5_000_000)))
                .finish();
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(
                "not scanned (size limit exceeded)", v.headerChanges().get(1).value());
        assertTrue("stopped sending: " + clamd.received.get(), clamd.received.get() < 1_000_000);
    }

    @Test
    public void aMessageAboveMaxScanSizeIsNotSentAndGetsOnTooLarge() throws Exception {
        clamd = FakeClamd.tcp();
        String big = MESSAGE + "x".repeat(1000) + "\r\n";
        FilterVerdict v = scan(config(clamd.address(), "maxScanSize", "1000"), big);
        assertEquals(Action.ACCEPT, v.action());
        assertEquals(
                "not scanned (larger than 1000 octets)",
                v.headerChanges().get(1).value());
        v = scan(config(clamd.address(), "maxScanSize", "1000", "onTooLarge", "reject"), big);
        assertEquals("552 5.3.4 Message too large for the virus scanner", v.reply());
        v = scan(config(clamd.address(), "maxScanSize", "1000", "onTooLarge", "defer"), big);
        assertEquals(Action.DEFER, v.action());
        assertEquals("clamd never saw a connection", 0, clamd.connections.get());
        v = scan(config(clamd.address(), "maxScanSize", "1000"), MESSAGE);
        assertEquals(
                "below the limit: scanned",
                "clean (clamav)",
                v.headerChanges().get(1).value());
        assertEquals(1, clamd.connections.get());
    }

    @Test
    public void aUnixSocketAddressWorks() throws Exception {
        Path socket = folder.getRoot().toPath().resolve("clamd.sock");
        clamd = FakeClamd.unix(socket);
        clamd.mode = FakeClamd.Mode.INFECTED;
        FilterVerdict v = scan(config("unix:" + socket), MESSAGE);
        assertEquals("554 5.7.1 Virus found: Win.Test.Fake-1", v.reply());
        assertEquals(MESSAGE, clamd.headText());
    }

    @Test
    public void aTwentyMegabyteMessageStreamsInChunksWithoutGrowingTheHeap() throws Exception {
        clamd = FakeClamd.tcp();
        long size = 20L * 1024 * 1024 + 12345;
        long[] peak = new long[1];
        clamd.progress = n -> {
            if (n >= 10_000_000 && peak[0] == 0) {
                peak[0] = Heap.usedAfterGc();
            }
        };
        ClamavFilter filter = new ClamavFilter();
        filter.activate(config(clamd.address()));
        long before = Heap.usedAfterGc();
        long start = System.nanoTime();
        FilterVerdict v = filter.open(context("q4-0", size, () -> TestMessages.generated(size)))
                .finish();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("clean (clamav)", v.headerChanges().get(1).value());
        assertEquals("every octet reached clamd", size, clamd.received.get());
        assertEquals("in chunks of 64 KiB", (size + Clamd.CHUNK - 1) / Clamd.CHUNK, clamd.chunks.get());
        assertEquals(Clamd.CHUNK, clamd.largestChunk.get());
        long growth = peak[0] - before;
        System.out.println(
                "20 MB to the fake clamd in " + millis + " ms; heap grew " + growth / 1024 + " KiB half-way through");
        assertTrue("heap grew by " + growth + " octets half-way through a 20 MB message", growth < 8_000_000);
    }

    @Test
    public void badSettingsNameTheFileAndKeyAndAnEditKeepsThePrevious() throws Exception {
        for (String[] bad : new String[][] {
            {"address", "127.0.0.1:3310", "key address: '127.0.0.1:3310' is neither tcp:HOST:PORT nor unix:/PATH"},
            {"address", "tcp:localhost:99999", "key address: 'tcp:localhost:99999' is not tcp:HOST:PORT"},
            {"address", "unix:run/clamd.ctl", "key address: 'unix:run/clamd.ctl' is not unix:/absolute/path"},
            {"timeoutSeconds", "soon", "key timeoutSeconds: 'soon' is not a whole number"},
            {"timeoutSeconds", "0", "key timeoutSeconds: 0 is not 1..3600"},
            {"onVirus", "delete", "key onVirus: must be reject or quarantine, not 'delete'"},
            {"onFailure", "accept", "key onFailure: must be defer or accept-tag, not 'accept'"},
            {"onTooLarge", "x", "key onTooLarge: must be accept-tag or defer or reject, not 'x'"},
            {"maxScanSize", "-1", "key maxScanSize: -1 is not at least 0"},
            {"header", "X Scan", "key header: 'X Scan' is not a header field name"},
            {"service.ranking", "first", "key service.ranking: 'first' is not a whole number"},
        }) {
            Map<String, Object> p = config("tcp:127.0.0.1:3310", bad[0], bad[1]);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> new ClamavFilter().activate(p));
            assertEquals("Bad configuration in file:/etc/org.mailroom.filter.clamav.cfg: " + bad[2], e.getMessage());
        }
        ClamavFilter filter = new ClamavFilter();
        filter.activate(config("unix:/run/clamav/clamd.ctl", "timeoutSeconds", "7"));
        ClamavSettings before = filter.settings();
        assertEquals("unix:/run/clamav/clamd.ctl", before.address().toString());
        filter.modified(config("tcp:[::1]:3310", "timeoutSeconds", "-7"));
        assertSame("a bad edit keeps the settings", before, filter.settings());
        filter.modified(config("tcp:[::1]:3310", "onFailure", "ACCEPT-TAG"));
        assertEquals("tcp:[::1]:3310", filter.settings().address().toString());
        assertEquals(ClamavSettings.OnFailure.ACCEPT_TAG, filter.settings().onFailure());
        assertEquals(30, filter.settings().timeout().toSeconds());
    }
}
