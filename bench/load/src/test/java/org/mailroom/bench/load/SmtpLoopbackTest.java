package org.mailroom.bench.load;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** smtp/lmtp against a fake server that writes Maildirs: lost, duplicated, changed all fail. */
public class SmtpLoopbackTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private FakeSmtpServer server;

    @Before
    public void start() throws Exception {
        root = tmp.getRoot().toPath().resolve("mail");
        server = new FakeSmtpServer(root);
    }

    @After
    public void stop() throws Exception {
        server.close();
    }

    private Run send(String command, String runId, String... extra) {
        String[] base = {
            command,
            "--port",
            Integer.toString(server.port()),
            "--clients",
            "3",
            "--messages",
            "25",
            "--users",
            "4",
            "--min-kb",
            "1",
            "--max-kb",
            "12",
            "--run-id",
            runId,
            "--maildir-root",
            root.toString(),
            "--wait-seconds",
            "0.5",
            "--dup-grace-ms",
            "100"
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Run.main(args);
    }

    @Test
    public void everyMessageStoredExactly() {
        Run r = send("smtp", "t1");
        assertEquals(r.toString(), 0, r.status);
        assertEquals(25, r.number("accepted"), 0);
        assertEquals(25, r.number("stored"), 0);
        assertEquals(0, r.number("lost"), 0);
        assertTrue(r.number("stored_per_s") > 0);
        // a second run into the same Maildirs ignores the first run's files
        r = send("lmtp", "t2");
        assertEquals(r.toString(), 0, r.status);
        assertEquals(25, r.number("stored"), 0);
    }

    @Test
    public void droppedMessageIsLost() {
        server.drop = 7;
        Run r = send("smtp", "t3");
        assertEquals(r.toString(), 1, r.status);
        assertEquals(1, r.number("lost"), 0);
        assertEquals(24, r.number("stored"), 0);
        assertEquals("false", r.field("verified"));
    }

    @Test
    public void changedMessageIsAMismatch() {
        server.corrupt = 3;
        Run r = send("lmtp", "t4");
        assertEquals(r.toString(), 1, r.status);
        assertEquals(1, r.number("mismatched"), 0);
    }

    @Test
    public void duplicateIsCounted() {
        server.duplicate = 5;
        Run r = send("smtp", "t5");
        assertEquals(r.toString(), 1, r.status);
        assertEquals(1, r.number("duplicated"), 0);
    }

    @Test
    public void fixedSizeAndLayout() {
        // a Maildir one level down is not found with the default layout
        Run r = send("smtp", "t6", "--maildir-layout", "{root}/{user}/Maildir");
        assertEquals(r.toString(), 1, r.status);
        assertEquals(25, r.number("lost"), 0);
    }
}
