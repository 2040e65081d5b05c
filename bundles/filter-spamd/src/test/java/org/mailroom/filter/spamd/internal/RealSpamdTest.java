package org.mailroom.filter.spamd.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.mailroom.filter.spamd.internal.TestMessages.config;
import static org.mailroom.filter.spamd.internal.TestMessages.context;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.FilterVerdict.Action;
import org.mailroom.testing.daemons.PrivateSpamd;

/**
 * The adapter against Debian's spamd: one private instance for the class (it takes a few seconds
 * to load Debian's rules), local tests only. Without spamd installed the test is skipped, and
 * fails when CI is set.
 */
public class RealSpamdTest {

    private static PrivateSpamd spamd;

    @BeforeClass
    public static void start() throws Exception {
        Path executable = PrivateSpamd.require();
        Path dir = Files.createTempDirectory(
                Files.createDirectories(Path.of("target/spamd")).toAbsolutePath(), "run-");
        long t0 = System.nanoTime();
        spamd = PrivateSpamd.start(executable, dir);
        System.out.println("spamd answered PONG " + (System.nanoTime() - t0) / 1_000_000 + " ms after start");
    }

    @AfterClass
    public static void stop() {
        if (spamd != null) {
            spamd.close();
        }
    }

    private FilterVerdict scan(String message, String... settings) {
        SpamdFilter filter = new SpamdFilter();
        filter.activate(config("tcp:127.0.0.1:" + spamd.port(), settings));
        return filter.open(context("r1-0", message)).finish();
    }

    @Test
    public void gtubeIsSpamTaggedOrRefused() {
        String gtube =
                "From: a@example.org\r\nTo: b@example.com\r\nSubject: test\r\n\r\n" + PrivateSpamd.GTUBE + "\r\n";
        FilterVerdict v = scan(gtube);
        assertEquals(spamd.log(), Action.ACCEPT, v.action());
        assertEquals(spamd.log(), "YES", v.headerChanges().get(2).value());
        String status = v.headerChanges().get(3).value();
        assertTrue(status, status.matches("Yes, score=10[0-9][0-9]\\.[0-9] required=5\\.0 tests=.*\\bGTUBE\\b.*"));

        v = scan(gtube, "rejectScore", "20");
        assertEquals("550 5.7.1 Message refused as spam", v.reply());
    }

    @Test
    public void anOrdinaryMessageIsNotSpam() {
        FilterVerdict v = scan("From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: lunch\r\n"
                + "Date: Thu, 03 Dec 2026 12:00:00 +0000\r\nMessage-ID: <lunch-1@example.org>\r\n\r\n"
                + "Shall we meet at noon?\r\n");
        assertEquals(Action.ACCEPT, v.action());
        String status = v.headerChanges().get(2).value();
        assertTrue(status, status.startsWith("No, score="));
        assertTrue(status, status.contains(" required=5.0 tests="));
    }
}
