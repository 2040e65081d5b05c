package org.mailroom.bench.load;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The pop3 scenarios against a fake server; a server that changes one byte must fail the run. */
public class Pop3LoopbackTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static Path mail;
    private static FakePop3Server server;

    @BeforeClass
    public static void fillAndServe() throws Exception {
        mail = tmp.getRoot().toPath().resolve("mail");
        Run r = Run.main(
                "fill",
                "--dir",
                mail.toString(),
                "--users",
                "3",
                "--messages",
                "6",
                "--min-kb",
                "2",
                "--max-kb",
                "20",
                "--large-mb",
                "1");
        assertEquals(r.toString(), 0, r.status);
        server = new FakePop3Server(mail);
    }

    @AfterClass
    public static void stop() throws Exception {
        server.close();
    }

    private Run pop3(String scenario, String... extra) {
        String[] base = {
            "pop3",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(server.port()),
            "--scenario",
            scenario,
            "--manifest",
            mail.resolve("manifest.tsv").toString(),
            "--seconds",
            "0.3",
            "--warmup-seconds",
            "0.05",
            "--clients",
            "2",
            "--server-pid",
            Long.toString(ProcessHandle.current().pid())
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Run.main(args);
    }

    @Test
    public void fullVerifiesEveryMessage() {
        Run r = pop3("full");
        assertEquals(r.toString(), 0, r.status);
        assertEquals("true", r.field("verified"));
        assertEquals(0, r.number("failures"), 0);
        assertTrue(r.toString(), r.number("messages") > 6);
        assertTrue(r.number("retr_p99_ms") >= r.number("retr_p50_ms"));
        assertTrue(r.number("cpu_server_s") >= 0);
        assertTrue(r.output.contains("cpu: generator "));
    }

    @Test
    public void fullCatchesOneFlippedByte() {
        server.corrupt = true;
        try {
            Run r = pop3("full");
            assertEquals(r.toString(), 1, r.status);
            assertEquals("false", r.field("verified"));
            assertTrue(r.number("failures") > 0);
            assertTrue(r.output, r.output.contains("no such message in the manifest"));
        } finally {
            server.corrupt = false;
        }
    }

    @Test
    public void fullCatchesMissingDotStuffing() {
        server.noStuffing = true;
        try {
            Run r = pop3("full");
            assertEquals(r.toString(), 1, r.status);
            assertTrue(r.number("failures") > 0);
        } finally {
            server.noStuffing = false;
        }
    }

    @Test
    public void largeAndItsCorruption() {
        Run r = pop3("large");
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.number("downloads") > 0);
        assertTrue(r.number("mb_per_s") > 0);
        server.corrupt = true;
        try {
            r = pop3("large");
            assertEquals(r.toString(), 1, r.status);
        } finally {
            server.corrupt = false;
        }
    }

    @Test
    public void churnAndLoginUnderLoad() {
        Run r = pop3("churn");
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.number("logins") > 0);
        r = pop3("login-under-load");
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.number("baseline_logins") > 0);
        assertTrue(r.number("loaded_logins") > 0);
        assertTrue(r.number("downloads") > 0);
        assertTrue(r.number("login_p99_ratio") > 0);
    }

    @Test
    public void idleHoldsConnectionsUntilStdin() {
        Run r = pop3("idle", "--clients", "40");
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.output.contains("IDLE_READY 40\n"));
        assertEquals(40, r.number("noop_ok"), 0);
    }

    @Test
    public void unreachableServerIsAFailure() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = Run.main(
                "pop3",
                "--port",
                Integer.toString(port),
                "--scenario",
                "churn",
                "--users",
                "2",
                "--seconds",
                "0.2",
                "--warmup-seconds",
                "0");
        assertEquals(r.toString(), 1, r.status);
        assertEquals("false", r.field("verified"));
    }

    @Test
    public void usageErrors() {
        Run r = Run.main("pop3", "--port", "1", "--scenario", "full", "--manfest", "x");
        assertEquals(2, r.status);
        assertTrue(r.output.contains("RESULT {"));
        assertTrue(Run.main("--help").output.contains("RESULT"));
    }
}
