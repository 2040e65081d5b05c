package org.mailroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.mailroom.itests.ClientProcesses.readString;
import static org.mailroom.itests.ClientProcesses.start;
import static org.mailroom.itests.ClientProcesses.tool;
import static org.mailroom.itests.ClientProcesses.writePrivate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.itests.ClientProcesses.Run;
import org.mailroom.itests.ClientProcesses.Tool;
import org.mailroom.testing.Poll;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.osgi.service.cm.Configuration;

/**
 * The distribution end to end with the POP3 clients of Debian: curl (STLS and POP3S), mpop
 * (STARTTLS and implicit TLS) and fetchmail (STLS and POP3S). Each client runs as a separate
 * process on this machine, trusts the server's generated self-signed certificate (no
 * verification is turned off) and must store every message exactly as delivered, apart from
 * what the client documents that it changes (mpop's MDA delivery turns CRLF into LF).
 *
 * <p>Every test uses its own user, so the tests do not depend on each other's order.
 */
@RunWith(ToolsInstalled.class)
@ToolsInstalled.Require(
        tools = {"curl", "mpop", "fetchmail"},
        packages = {"curl", "mpop", "fetchmail"})
public class RealClientsIT extends MailroomTestSupport {

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(90);
    private static final String LOGIN_PID = "org.mailroom.login";
    private static final long DEFAULT_FAILED_LOGIN_DELAY_MILLIS = 2000;
    private static final AtomicInteger USERS = new AtomicInteger();

    // ---- the test messages, in wire form (CRLF line ends) ----

    /** One delivered message: its name in failure messages, wire bytes and store uid. */
    private record Delivered(String name, byte[] wire, String uid) {

        /** What a POP3 client receives: the wire form, with the line end POP3 adds to a final partial line. */
        byte[] retrieved() {
            return endsWithLineEnd(wire) ? wire : concat(wire, new byte[] {'\r', '\n'});
        }
    }

    private record Mailbox(String user, String password, List<Delivered> messages) {}

    private static byte[] dotsMessage(String user) {
        return crlf("From: Dot Sender <dots@example.org>\n"
                + "To: " + user + "@mailroom.test\n"
                + "Subject: lines starting with dots\n"
                + "Message-ID: <dots." + user + "@mailroom.test>\n"
                + "\n"
                + ".\n"
                + "..\n"
                + ".hidden\n"
                + "...three dots\n"
                + ". a dot and a space\n"
                + "From the start of a line (an mbox would quote this)\n"
                + ">From already quoted\n"
                + "\n"
                + "the next line is a single dot, and the message ends after it\n"
                + ".\n");
    }

    private static byte[] utf8Message(String user) {
        return crlf("From: =?UTF-8?B?5Y+R5Lu25Lq6?= <sender@example.org>\n"
                + "To: " + user + "@mailroom.test\n"
                + "Subject: 你好，世界 — 8bit UTF-8\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=UTF-8\n"
                + "Content-Transfer-Encoding: 8bit\n"
                + "\n"
                + "邮件服务器测试：这是一封包含中文内容的邮件。\n"
                + "第二行：POP3 客户端必须逐字节地收到它。\n"
                + "Ümlaute ß € ✓ 🚀\n");
    }

    private static byte[] attachmentMessage(String user, int randomBytes, long seed) {
        byte[] random = new byte[randomBytes];
        new Random(seed).nextBytes(random);
        String base64 = Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(random);
        return crlf("From: Big Sender <big@example.org>\n"
                + "To: " + user + "@mailroom.test\n"
                + "Subject: a " + randomBytes + " byte attachment\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: multipart/mixed; boundary=\"=-=boundary=-=\"\n"
                + "\n"
                + "This is a multi-part message in MIME format.\n"
                + "\n"
                + "--=-=boundary=-=\n"
                + "Content-Type: text/plain; charset=US-ASCII\n"
                + "\n"
                + "See the attachment.\n"
                + "\n"
                + "--=-=boundary=-=\n"
                + "Content-Type: application/octet-stream\n"
                + "Content-Transfer-Encoding: base64\n"
                + "Content-Disposition: attachment; filename=\"random.bin\"\n"
                + "\n"
                + base64 + "\n"
                + "\n"
                + "--=-=boundary=-=--\n");
    }

    private static byte[] noFinalLineEndMessage(String user) {
        byte[] lines = crlf("From: Partial <partial@example.org>\n"
                + "To: " + user + "@mailroom.test\n"
                + "Subject: no line end after the last line\n"
                + "\n"
                + "The last line starts with a dot and has no line end:\n");
        return concat(lines, ".no line end".getBytes(StandardCharsets.US_ASCII));
    }

    // ---- tests ----

    @Test(timeout = 240_000)
    public void curlRetrievesEveryMessageByteForByteOverStlsAndPop3s() throws Exception {
        Tool curl = tool("curl");
        Mailbox box = newMailbox(true);
        Path cert = certificate();

        for (boolean implicitTls : new boolean[] {false, true}) {
            String mode = implicitTls ? "POP3S" : "STLS";
            Path dir = tempDir("curl-" + mode);
            Map<Integer, Long> sizes = curlList(curl, box, cert, implicitTls, box.password(), dir);
            assertEquals(mode + " LIST numbers", box.messages().size(), sizes.size());

            List<String> command = curlBase(curl, box.user(), box.password(), cert, implicitTls);
            for (int n = 1; n <= box.messages().size(); n++) {
                command.add(curlUrl(implicitTls, "/" + n));
                command.add("-o");
                command.add(dir.resolve("msg" + n).toString());
            }
            Run run = run(dir, command);
            assertEquals(mode + " curl RETR all failed: " + run.stderr(), 0, run.exit());
            assertEquals(
                    mode + " session upgraded with STLS:\n" + run.stderr(),
                    !implicitTls,
                    run.stderr().contains("> STLS"));
            assertTrue(
                    mode + " one session for all messages:\n" + run.stderr(),
                    run.stderr().split("> AUTH ", -1).length == 2);

            for (int n = 1; n <= box.messages().size(); n++) {
                Delivered m = box.messages().get(n - 1);
                byte[] got = Files.readAllBytes(dir.resolve("msg" + n));
                assertBytes(mode + " curl, message " + n + " (" + m.name() + ")", m.retrieved(), got);
                // A message whose last line has no line end is listed with its stored size; RETR
                // must end that line before the terminating ".", so it delivers 2 octets more.
                long expectedListSize = endsWithLineEnd(m.wire()) ? got.length : got.length - 2;
                assertEquals(mode + " LIST size of message " + n + " (" + m.name() + ")", expectedListSize, (long)
                        sizes.get(n));
            }

            Map<Integer, String> uidl = curlUidl(curl, box, cert, implicitTls, dir);
            Map<Integer, String> again = curlUidl(curl, box, cert, implicitTls, dir);
            assertEquals(mode + " UIDL in a second session", uidl, again);
            for (int n = 1; n <= box.messages().size(); n++) {
                assertEquals(
                        mode + " UIDL " + n + " is the store's uid",
                        box.messages().get(n - 1).uid(),
                        uidl.get(n));
            }
        }
    }

    @Test(timeout = 240_000)
    public void mpopRetrievesEveryMessageWithStarttlsAndImplicitTls() throws Exception {
        Tool mpop = tool("mpop");
        Mailbox box = newMailbox(true);
        Path cert = certificate();

        for (boolean implicitTls : new boolean[] {false, true}) {
            String mode = implicitTls ? "implicit TLS" : "STARTTLS";
            Path dir = tempDir("mpop");
            Path out = mdaOutput(dir);
            // 127.0.0.1 for STARTTLS and localhost for implicit TLS: the certificate names both.
            Path rc = writePrivate(
                    dir.resolve("mpoprc"),
                    String.join(
                            "\n",
                            "defaults",
                            "account test",
                            "host " + (implicitTls ? "localhost" : LOCALHOST),
                            "port " + (implicitTls ? pop3sPort() : pop3Port()),
                            "tls on",
                            "tls_starttls " + (implicitTls ? "off" : "on"),
                            "tls_trust_file " + cert,
                            "tls_certcheck on",
                            "auth on",
                            "user " + box.user(),
                            "password " + box.password(),
                            "keep on",
                            "received_header off",
                            "uidls_file " + dir.resolve("uidls"),
                            "delivery mda \"/bin/sh " + mdaScript(dir, out) + "\"",
                            ""));
            List<String> command = List.of(mpop.path(), "-C", rc.toString(), "-q", "test");

            Run first = run(dir, command);
            assertEquals("mpop " + mode + " failed: " + first.stderr(), 0, first.exit());
            List<byte[]> stored = readOutputs(out);
            assertEquals("mpop " + mode + " delivered", box.messages().size(), stored.size());
            for (int i = 0; i < stored.size(); i++) {
                Delivered m = box.messages().get(i);
                // mpop's MDA delivery converts the network's CRLF line ends to LF; nothing else changes.
                assertBytes(
                        "mpop " + mode + ", message " + (i + 1) + " (" + m.name() + ")",
                        crlfToLf(m.retrieved()),
                        stored.get(i));
            }

            // mpop remembers messages by UIDL: a second session finds nothing new only if the UIDLs are stable.
            Run second = run(dir, command);
            assertEquals("second mpop " + mode + " failed: " + second.stderr(), 0, second.exit());
            assertEquals(
                    "mpop " + mode + " second session retrieved again",
                    box.messages().size(),
                    readOutputs(out).size());
        }
        assertEquals(
                "mpop kept the messages",
                box.messages().size(),
                store().list(box.user()).size());
    }

    @Test(timeout = 240_000)
    public void fetchmailRetrievesEveryMessageWithSslAndWithStls() throws Exception {
        Tool fetchmail = tool("fetchmail");
        Mailbox box = newMailbox(true);
        Path cert = certificate();

        for (boolean implicitTls : new boolean[] {true, false}) {
            String mode = implicitTls ? "ssl (POP3S)" : "sslproto (STLS)";
            Path dir = tempDir("fetchmail");
            Path out = mdaOutput(dir);
            Path rc = fetchmailRc(dir, out, box, cert, implicitTls, box.password(), true);
            Run first = runFetchmail(fetchmail, dir, rc);
            assertEquals("fetchmail " + mode + " failed: " + first.stderr(), 0, first.exit());
            assertTlsUsed("fetchmail " + mode, first, implicitTls);
            List<byte[]> stored = readOutputs(out);
            assertEquals("fetchmail " + mode + " delivered", box.messages().size(), stored.size());
            for (int i = 0; i < stored.size(); i++) {
                Delivered m = box.messages().get(i);
                assertBytes(
                        "fetchmail " + mode + ", message " + (i + 1) + " (" + m.name() + ")",
                        m.retrieved(),
                        stored.get(i));
            }

            // With uidl, fetchmail skips what its id file lists: nothing is new if UIDLs are stable.
            Run second = runFetchmail(fetchmail, dir, rc);
            assertEquals("second fetchmail " + mode + ": exit 1 means no mail: " + second.stderr(), 1, second.exit());
            assertEquals(
                    "fetchmail " + mode + " second session retrieved again",
                    box.messages().size(),
                    readOutputs(out).size());
        }
        assertEquals(
                "fetchmail kept the messages",
                box.messages().size(),
                store().list(box.user()).size());
    }

    @Test(timeout = 180_000)
    public void fetchmailWithoutKeepRemovesTheMessagesFromTheMaildir() throws Exception {
        Tool fetchmail = tool("fetchmail");
        Mailbox box = newMailbox(true);
        Path maildir = maildir(box.user());
        assertEquals(
                "files in the Maildir before",
                box.messages().size(),
                messageFiles(maildir).size());

        Path dir = tempDir("fetchmail-delete");
        Path out = mdaOutput(dir);
        Path rc = fetchmailRc(dir, out, box, certificate(), false, box.password(), false);
        Run run = runFetchmail(fetchmail, dir, rc);
        assertEquals("fetchmail failed: " + run.stderr(), 0, run.exit());

        List<byte[]> stored = readOutputs(out);
        assertEquals("fetchmail delivered", box.messages().size(), stored.size());
        for (int i = 0; i < stored.size(); i++) {
            assertBytes(
                    "fetchmail (delete), message " + (i + 1),
                    box.messages().get(i).retrieved(),
                    stored.get(i));
        }
        assertEquals("files left in " + maildir, List.of(), messageFiles(maildir));
        assertEquals("messages the store lists", List.of(), store().list(box.user()));
    }

    @Test(timeout = 180_000)
    public void curlDeleWithQuitRemovesTheFileAndADroppedSessionDeletesNothing() throws Exception {
        Tool curl = tool("curl");
        Mailbox box = newMailbox(true);
        Path cert = certificate();
        Path maildir = maildir(box.user());
        Path dir = tempDir("curl-dele");
        int big = indexOf(box, "attachment") + 1;

        // DELE of message 1, then QUIT (curl ends every session with QUIT).
        String first = box.messages().get(0).uid();
        assertTrue(first + " on disk", hasFileFor(maildir, first));
        List<String> dele = curlBase(curl, box.user(), box.password(), cert, true);
        dele.addAll(List.of("-X", "DELE", "-I", curlUrl(true, "/1")));
        Run deleted = run(dir, dele);
        assertEquals("curl DELE failed: " + deleted.stderr(), 0, deleted.exit());
        assertFalse(first + " still on disk after DELE and QUIT", hasFileFor(maildir, first));
        assertEquals(box.messages().size() - 1, messageFiles(maildir).size());

        // One session: DELE 1 (now the second message), then a slow RETR of the big message,
        // killed while it streams: no QUIT, so nothing may be deleted.
        String second = box.messages().get(1).uid();
        Path partial = dir.resolve("partial");
        List<String> dropped = curlBase(curl, box.user(), box.password(), cert, true);
        dropped.addAll(List.of("-X", "DELE", "-I", curlUrl(true, "/1"), "--next"));
        dropped.addAll(curlOptions(box.user(), box.password(), cert, true));
        dropped.addAll(List.of("--limit-rate", "20k", "-o", partial.toString(), curlUrl(true, "/" + (big - 1))));
        Process process = start(dir, dropped);
        try {
            Poll.until(
                    "the slow RETR streaming into " + partial,
                    TIMEOUT,
                    () -> partial.toFile().length() > 0 || !process.isAlive());
            assertTrue("curl ended before it was killed: " + readString(dir.resolve("stderr")), process.isAlive());
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        String log = readString(dir.resolve("stderr"));
        assertTrue(
                "curl sent DELE 1 before RETR (log:\n" + log + ")",
                log.contains("> DELE 1") && log.contains("> RETR " + (big - 1)));

        // The mailbox is locked while the session is open: a login succeeds once the server has seen the drop.
        Poll.until("a new login after the dropped session", TIMEOUT, () -> {
            try {
                return run(dir, listCommand(curl, box, cert, true, box.password()))
                                .exit()
                        == 0;
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(second + " deleted by a session that never sent QUIT", hasFileFor(maildir, second));
        assertEquals(box.messages().size() - 1, messageFiles(maildir).size());
        assertEquals(box.messages().size() - 1, store().list(box.user()).size());
    }

    @Test(timeout = 180_000)
    public void wrongPasswordIsRefusedByEveryClientAfterTheFailedLoginDelay() throws Exception {
        Tool curl = tool("curl");
        Tool mpop = tool("mpop");
        Tool fetchmail = tool("fetchmail");
        Mailbox box = newMailbox(false);
        Path cert = certificate();
        long delay = failedLoginDelayMillis();
        long atLeast = delay - 100;

        for (boolean implicitTls : new boolean[] {false, true}) {
            Path dir = tempDir("curl-wrong");
            Run run = run(dir, listCommand(curl, box, cert, implicitTls, "wrong-" + box.password()));
            assertEquals("curl exit code (67 = login denied): " + run.stderr(), 67, run.exit());
            assertTrue(
                    "curl refused after " + run.millis() + " ms, failed-login delay " + delay, run.millis() >= atLeast);
        }

        Path mpopDir = tempDir("mpop-wrong");
        Path rc = writePrivate(
                mpopDir.resolve("mpoprc"),
                String.join(
                        "\n",
                        "account test",
                        "host " + LOCALHOST,
                        "port " + pop3Port(),
                        "tls on",
                        "tls_starttls on",
                        "tls_trust_file " + cert,
                        "auth on",
                        "user " + box.user(),
                        "password wrong-" + box.password(),
                        "keep on",
                        "uidls_file " + mpopDir.resolve("uidls"),
                        "delivery mda \"cat >/dev/null\"",
                        ""));
        Run mpopRun = run(mpopDir, List.of(mpop.path(), "-C", rc.toString(), "-q", "test"));
        assertEquals("mpop exit code (77 = EX_NOPERM): " + mpopRun.stderr(), 77, mpopRun.exit());
        assertTrue("mpop: " + mpopRun.stderr(), mpopRun.stderr().contains("authentication failed"));
        assertTrue("mpop refused after " + mpopRun.millis() + " ms", mpopRun.millis() >= atLeast);

        Path fetchDir = tempDir("fetchmail-wrong");
        Path out = mdaOutput(fetchDir);
        Run fetchRun = runFetchmail(
                fetchmail, fetchDir, fetchmailRc(fetchDir, out, box, cert, true, "wrong-" + box.password(), true));
        assertEquals("fetchmail exit code (3 = AUTHFAIL): " + fetchRun.stderr(), 3, fetchRun.exit());
        assertTrue("fetchmail refused after " + fetchRun.millis() + " ms", fetchRun.millis() >= atLeast);
        assertEquals(List.of(), readOutputs(out));

        Run right = run(tempDir("curl-right"), listCommand(curl, box, cert, true, box.password()));
        assertEquals("the right password still works: " + right.stderr(), 0, right.exit());
    }

    @Test(timeout = 180_000)
    public void consoleCommandsManageUsersThatCurlLogsInAs() throws Exception {
        Tool curl = tool("curl");
        Path cert = certificate();
        String user = "console" + USERS.incrementAndGet();
        String password = "Pw" + Long.toHexString(new Random().nextLong());
        String changed = "Changed" + Long.toHexString(new Random().nextLong());
        Path dir = tempDir("curl-console");

        String added = executeCommand("mail:user-add " + user + " " + password);
        assertTrue(added, added.contains("User " + user + " added"));
        Mailbox box = new Mailbox(user, password, List.of());
        Run list = run(dir, listCommand(curl, box, cert, false, password));
        assertEquals("curl as the added user: " + list.stderr(), 0, list.exit());

        // Whatever the new mailbox already holds (welcome messages), plus two deliveries.
        MailStore store = store();
        store.deliver(user, new ByteArrayInputStream(dotsMessage(user)));
        store.deliver(user, new ByteArrayInputStream(utf8Message(user)));
        Map<Integer, Long> sizes =
                parseNumbered(run(dir, listCommand(curl, box, cert, true, password)), Long::parseLong);
        assertTrue("the two delivered messages are listed: " + sizes, sizes.size() >= 2);
        long octets = sizes.values().stream().mapToLong(Long::longValue).sum();
        String info = executeCommand("mail:mailbox-info " + user);
        assertTrue(info, info.contains(user + ": " + sizes.size() + " messages, " + octets + " octets"));

        String passwd = executeCommand("mail:user-passwd " + user + " " + changed);
        assertTrue(passwd, passwd.contains("Password of " + user + " changed"));
        Run withNew = run(dir, listCommand(curl, box, cert, true, changed));
        assertEquals("new password: " + withNew.stderr(), 0, withNew.exit());
        Run withOld = run(dir, listCommand(curl, box, cert, true, password));
        assertEquals("old password refused (67): " + withOld.stderr(), 67, withOld.exit());

        String removed = executeCommand("mail:user-remove " + user);
        assertTrue(removed, removed.contains("User " + user + " removed"));
        Run afterRemove = run(dir, listCommand(curl, box, cert, false, changed));
        assertEquals("removed user refused (67): " + afterRemove.stderr(), 67, afterRemove.exit());
        assertFalse(directory().exists(user));
    }

    // ---- curl ----

    private List<String> curlBase(Tool curl, String user, String password, Path cert, boolean implicitTls) {
        List<String> command = new ArrayList<>(List.of(curl.path(), "-q"));
        command.addAll(curlOptions(user, password, cert, implicitTls));
        return command;
    }

    /** Options of one URL group; curl's --next resets them, so they are repeated after it. */
    private static List<String> curlOptions(String user, String password, Path cert, boolean implicitTls) {
        List<String> options = new ArrayList<>(List.of(
                "-sS",
                "-v",
                "--max-time",
                Long.toString(CLIENT_TIMEOUT.toSeconds()),
                "--cacert",
                cert.toString(),
                "--user",
                user + ":" + password));
        if (!implicitTls) {
            options.add("--ssl-reqd");
        }
        return options;
    }

    /** STLS sessions go to localhost and POP3S to 127.0.0.1, so the certificate is checked for both names. */
    private String curlUrl(boolean implicitTls, String path) {
        return implicitTls
                ? "pop3s://" + LOCALHOST + ":" + pop3sPort() + path
                : "pop3://localhost:" + pop3Port() + path;
    }

    private List<String> listCommand(Tool curl, Mailbox box, Path cert, boolean implicitTls, String password) {
        List<String> command = curlBase(curl, box.user(), password, cert, implicitTls);
        command.add(curlUrl(implicitTls, "/"));
        return command;
    }

    private Map<Integer, Long> curlList(
            Tool curl, Mailbox box, Path cert, boolean implicitTls, String password, Path dir) throws Exception {
        return parseNumbered(run(dir, listCommand(curl, box, cert, implicitTls, password)), Long::parseLong);
    }

    private Map<Integer, String> curlUidl(Tool curl, Mailbox box, Path cert, boolean implicitTls, Path dir)
            throws Exception {
        List<String> command = curlBase(curl, box.user(), box.password(), cert, implicitTls);
        command.addAll(List.of("-X", "UIDL", curlUrl(implicitTls, "/")));
        return parseNumbered(run(dir, command), s -> s);
    }

    private static <T> Map<Integer, T> parseNumbered(Run run, java.util.function.Function<String, T> value) {
        assertEquals("curl failed: " + run.stderr(), 0, run.exit());
        Map<Integer, T> result = new LinkedHashMap<>();
        String text = new String(run.stdout(), StandardCharsets.US_ASCII);
        for (String line : text.split("\r\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(" ");
            assertEquals("scan listing line '" + line + "' in:\n" + text, 2, parts.length);
            result.put(Integer.parseInt(parts[0]), value.apply(parts[1]));
        }
        assertTrue("listing ends with CRLF: " + text, text.isEmpty() || text.endsWith("\r\n"));
        return result;
    }

    // ---- fetchmail ----

    private Path fetchmailRc(
            Path dir, Path out, Mailbox box, Path cert, boolean implicitTls, String password, boolean keep)
            throws IOException {
        // fetchmail checks the certificate against the poll name with OpenSSL's host name check,
        // which matches DNS names only (not the certificate's 127.0.0.1 IP address): poll localhost.
        return writePrivate(
                dir.resolve("fetchmailrc"),
                String.join(
                        "\n",
                        "set no syslog",
                        // invisible: no Received header of its own
                        "set invisible",
                        "poll localhost service " + (implicitTls ? pop3sPort() : pop3Port()) + " protocol pop3 uidl",
                        "  user \"" + box.user() + "\" there with password \"" + password + "\" is \""
                                + System.getProperty("user.name") + "\" here",
                        "  " + (implicitTls ? "ssl " : "") + "sslproto 'tls1.2+' sslcertck sslcertfile \"" + cert
                                + "\"",
                        // no rewrite: leave addresses in headers alone; no stripcr: keep CRLF for the MDA
                        "  " + (keep ? "keep" : "no keep fetchall") + " no mimedecode no rewrite no stripcr",
                        "  mda \"/bin/sh " + mdaScript(dir, out) + "\"",
                        ""));
    }

    private Run runFetchmail(Tool fetchmail, Path dir, Path rc) throws Exception {
        return run(
                dir,
                List.of(
                        fetchmail.path(),
                        "-f",
                        rc.toString(),
                        "-i",
                        dir.resolve("fetchids").toString(),
                        "--pidfile",
                        dir.resolve("fetchmail.pid").toString(),
                        "--nosyslog",
                        "-v"));
    }

    private static void assertTlsUsed(String what, Run run, boolean implicitTls) {
        String log = new String(run.stdout(), StandardCharsets.UTF_8) + run.stderr();
        if (!implicitTls) {
            assertTrue(what + " sent STLS:\n" + log, log.contains("POP3> STLS"));
        }
        assertFalse(what + " reported a certificate problem:\n" + log, log.contains("verification error"));
    }

    // ---- MDA output ----

    private static Path mdaOutput(Path dir) throws IOException {
        return Files.createDirectories(dir.resolve("delivered"));
    }

    /** A script that stores its stdin, unchanged, as the next numbered file in out (clients deliver one at a time). */
    private static Path mdaScript(Path dir, Path out) throws IOException {
        Path script = dir.resolve("store-message.sh");
        if (!Files.exists(script)) {
            Files.writeString(
                    script,
                    "n=$(ls '" + out + "' | wc -l)\n" + "exec cat > '" + out + "'/$(printf %06d \"$n\")\n",
                    StandardCharsets.US_ASCII);
        }
        return script;
    }

    private static List<byte[]> readOutputs(Path out) throws IOException {
        List<byte[]> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path p : files.sorted().collect(Collectors.toList())) {
                result.add(Files.readAllBytes(p));
            }
        }
        return result;
    }

    private static Run run(Path dir, List<String> command) throws Exception {
        return ClientProcesses.run(dir, command, CLIENT_TIMEOUT);
    }

    private Path tempDir(String prefix) throws IOException {
        Path base =
                Files.createDirectories(dataFolder().resolveSibling(dataFolder().getFileName() + "-clients"));
        return Files.createTempDirectory(base, prefix + "-");
    }

    // ---- server side ----

    private Path certificate() throws InterruptedException {
        Path cert = dataFolder().resolve("tls").resolve("server.crt");
        Poll.until(
                "POP3 and POP3S listening and " + cert + " written",
                TIMEOUT,
                () -> accepts(pop3Port()) && accepts(pop3sPort()) && Files.isRegularFile(cert));
        return cert;
    }

    private static List<Path> messageFiles(Path maildir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String sub : new String[] {"new", "cur"}) {
            try (Stream<Path> s = Files.list(maildir.resolve(sub))) {
                s.filter(p -> !p.getFileName().toString().startsWith(".")).forEach(files::add);
            }
        }
        return files;
    }

    private static boolean hasFileFor(Path maildir, String uid) throws IOException {
        for (Path p : messageFiles(maildir)) {
            String name = p.getFileName().toString();
            if (name.equals(uid) || name.startsWith(uid + ":")) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(Mailbox box, String name) {
        for (int i = 0; i < box.messages().size(); i++) {
            if (box.messages().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no message " + name);
    }

    /**
     * A new user with a fresh password and an empty mailbox (the welcome messages a new mailbox gets
     * are removed), then, if asked, the test messages delivered through the MailStore service.
     */
    private Mailbox newMailbox(boolean withMessages) throws Exception {
        String user = "client" + USERS.incrementAndGet();
        String password = "Secret-" + Long.toHexString(new Random().nextLong());
        directory().add(user, password);
        MailStore store = store();
        List<MessageInfo> existing = store.list(user);
        store.delete(user, existing.stream().map(MessageInfo::uid).collect(Collectors.toList()));
        assertEquals(List.of(), store.list(user));

        List<Delivered> messages = new ArrayList<>();
        if (withMessages) {
            Map<String, byte[]> wire = new LinkedHashMap<>();
            wire.put("dots", dotsMessage(user));
            wire.put("utf8", utf8Message(user));
            wire.put("attachment", attachmentMessage(user, 4 * 1024 * 1024 + 17, user.hashCode()));
            wire.put("no final line end", noFinalLineEndMessage(user));
            for (Map.Entry<String, byte[]> e : wire.entrySet()) {
                String uid;
                try (InputStream in = new ByteArrayInputStream(e.getValue())) {
                    uid = store.deliver(user, in);
                }
                messages.add(new Delivered(e.getKey(), e.getValue(), uid));
            }
            List<MessageInfo> listed = store.list(user);
            assertEquals(messages.size(), listed.size());
            for (int i = 0; i < listed.size(); i++) {
                assertEquals("store order", messages.get(i).uid(), listed.get(i).uid());
                assertEquals(
                        "store size of " + messages.get(i).name(),
                        messages.get(i).wire().length,
                        listed.get(i).size());
            }
        }
        return new Mailbox(user, password, messages);
    }

    private MailStore store() {
        return getOsgiService(MailStore.class);
    }

    private UserDirectory directory() {
        return getOsgiService(UserDirectory.class);
    }

    private long failedLoginDelayMillis() throws Exception {
        Configuration[] configs = configurationAdmin.listConfigurations("(service.pid=" + LOGIN_PID + ")");
        if (configs == null || configs.length == 0) {
            return DEFAULT_FAILED_LOGIN_DELAY_MILLIS;
        }
        Dictionary<String, Object> props = configs[0].getProperties();
        Object value = props == null ? null : props.get("failedLoginDelayMillis");
        return value == null
                ? DEFAULT_FAILED_LOGIN_DELAY_MILLIS
                : Long.parseLong(value.toString().trim());
    }

    // ---- bytes ----

    private static byte[] crlf(String lfText) {
        return lfText.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] crlfToLf(byte[] wire) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(wire.length);
        for (int i = 0; i < wire.length; i++) {
            if (!(wire[i] == '\r' && i + 1 < wire.length && wire[i + 1] == '\n')) {
                out.write(wire[i]);
            }
        }
        return out.toByteArray();
    }

    private static boolean endsWithLineEnd(byte[] wire) {
        return wire.length >= 2 && wire[wire.length - 2] == '\r' && wire[wire.length - 1] == '\n';
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    /** Byte-for-byte equality; on failure names the length and the first differing offset with context. */
    private static void assertBytes(String what, byte[] expected, byte[] actual) {
        int n = Math.min(expected.length, actual.length);
        int diff = -1;
        for (int i = 0; i < n; i++) {
            if (expected[i] != actual[i]) {
                diff = i;
                break;
            }
        }
        if (diff < 0 && expected.length == actual.length) {
            return;
        }
        int at = diff < 0 ? n : diff;
        fail(what + ": expected " + expected.length + " octets, got " + actual.length + "; first difference at offset "
                + at + "\n expected: " + excerpt(expected, at) + "\n actual:   " + excerpt(actual, at));
    }

    private static String excerpt(byte[] bytes, int at) {
        int from = Math.max(0, at - 40);
        int to = Math.min(bytes.length, at + 40);
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            int c = bytes[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
