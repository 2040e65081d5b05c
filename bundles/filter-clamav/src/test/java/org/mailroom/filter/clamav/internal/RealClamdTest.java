package org.mailroom.filter.clamav.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.mailroom.filter.clamav.internal.TestMessages.config;
import static org.mailroom.filter.clamav.internal.TestMessages.context;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.FilterVerdict.Action;
import org.mailroom.testing.daemons.PrivateClamd;

/**
 * The adapter against Debian's clamd: a private instance with a one-file signature database this
 * test writes (the EICAR test string and a test signature), on a free port and a UNIX socket.
 * Without clamd installed the test is skipped, and fails when CI is set.
 */
public class RealClamdTest {

    /** Small, so that the size-limit test sends little. */
    private static final long STREAM_MAX_LENGTH = 1_000_000;

    private PrivateClamd clamd;

    @Before
    public void start() throws Exception {
        Path executable = PrivateClamd.require();
        Path dir = Files.createTempDirectory(
                Files.createDirectories(Path.of("target/clamd")).toAbsolutePath(), "run-");
        long t0 = System.nanoTime();
        clamd = PrivateClamd.start(executable, dir, STREAM_MAX_LENGTH, true);
        System.out.println("clamd answered PONG " + (System.nanoTime() - t0) / 1_000_000 + " ms after start");
    }

    @After
    public void stop() {
        if (clamd != null) {
            clamd.close();
        }
    }

    private FilterVerdict scan(String address, String message, String... settings) {
        ClamavFilter filter = new ClamavFilter();
        filter.activate(config(address, settings));
        return filter.open(context("r1-0", message)).finish();
    }

    private String tcp() {
        return "tcp:127.0.0.1:" + clamd.port();
    }

    @Test
    public void eicarInTheBodyIsRejectedAndACleanMessageTagged() {
        FilterVerdict v = scan(tcp(), "Subject: test\r\n\r\n" + PrivateClamd.EICAR + "\r\n");
        assertEquals(clamd.log(), Action.REJECT, v.action());
        assertEquals("554 5.7.1 Virus found: " + PrivateClamd.EICAR_SIGNATURE + ".UNOFFICIAL", v.reply());

        v = scan(tcp(), "Subject: test\r\n\r\nnothing to see here\r\n");
        assertEquals(Action.ACCEPT, v.action());
        assertEquals("clean (clamav)", v.headerChanges().get(1).value());
    }

    @Test
    public void aSignatureInABase64AttachmentIsFoundOverTheUnixSocketAndQuarantined() {
        String attachment =
                Base64.getMimeEncoder().encodeToString(("payload " + PrivateClamd.TEST_VIRUS + " payload").getBytes());
        String message = "Subject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=x.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + attachment + "\r\n--b--\r\n";
        assertTrue("the raw message does not contain the text", !message.contains(PrivateClamd.TEST_VIRUS));
        FilterVerdict v = scan("unix:" + clamd.socket(), message, "onVirus", "quarantine");
        assertEquals(clamd.log(), Action.QUARANTINE, v.action());
        assertEquals("virus " + PrivateClamd.TEST_SIGNATURE + ".UNOFFICIAL (clamav)", v.reason());
    }

    @Test
    public void aMessageOverStreamMaxLengthIsRefusedByClamdAndAFailure() {
        ClamavFilter filter = new ClamavFilter();
        filter.activate(config(tcp(), "onFailure", "accept-tag"));
        long size = 3 * STREAM_MAX_LENGTH;
        FilterVerdict v = filter.open(context("r2-0", size, () -> TestMessages.generated(size)))
                .finish();
        assertEquals(clamd.log(), Action.ACCEPT, v.action());
        assertEquals(
                "not scanned (size limit exceeded)", v.headerChanges().get(1).value());

        filter.activate(config(tcp()));
        v = filter.open(context("r2-1", size, () -> TestMessages.generated(size)))
                .finish();
        assertEquals("451 4.7.1 Virus scanner unavailable, try again later", v.reply());
    }

    @Test
    public void aStoppedClamdDefers() {
        String address = tcp();
        clamd.close();
        FilterVerdict v = scan(address, "Subject: test\r\n\r\nhello\r\n", "timeoutSeconds", "1");
        assertEquals(Action.DEFER, v.action());
        assertEquals("451 4.7.1 Virus scanner unavailable, try again later", v.reply());
        clamd = null;
    }
}
