package org.mailroom.store.maildir.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.testing.RequiredTool;

/**
 * Reads Maildirs written by Dovecot's LDA, and lets Dovecot read what we deliver. Dovecot refuses
 * to touch mail as root and, as root, wants a running auth service for {@code -d}; so as root the
 * tools run as nobody through setpriv, which makes Dovecot's {@code %u} "nobody".
 */
public class DovecotInteropTest {

    private static final Path LDA = Path.of("/usr/lib/dovecot/dovecot-lda");
    private static final Path DOVEADM = Path.of("/usr/bin/doveadm");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private boolean root;
    private String mailUser;
    private Path mailRoot;
    private Path config;

    @Before
    public void setUp() throws Exception {
        root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        requireTool(LDA);
        requireTool(DOVEADM);
        if (root) {
            requireTool(SETPRIV);
        }
        mailUser = root ? "nobody" : System.getProperty("user.name");
        Path base = temp.getRoot().toPath();
        mailRoot = Files.createDirectory(base.resolve("mail"));
        Path run = Files.createDirectory(base.resolve("run"));
        if (root) {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(mailRoot, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        config = base.resolve("dovecot.conf");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "mail_location = maildir:" + mailRoot + "/%u",
                        "base_dir = " + run + "/base",
                        "state_dir = " + run + "/state",
                        "log_path = /dev/stderr",
                        "ssl = no",
                        "postmaster_address = postmaster@example.com",
                        ""));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @Test(timeout = 120_000)
    public void servesMaildirWrittenByDovecotLda() throws Exception {
        Random random = new Random(3);
        StringBuilder big = new StringBuilder("Subject: big\r\n\r\n");
        while (big.length() < 1_500_000) {
            big.append("line ").append(random.nextInt()).append(random.nextBoolean() ? "\r\n" : "\n");
        }
        List<byte[]> inputs = List.of(
                "From: a@example.com\nSubject: lf\n\nbody\n.dot\n..dots\n".getBytes(UTF_8),
                "From: a@example.com\r\nSubject: crlf\r\n\r\nbody\r\nno newline at end".getBytes(UTF_8),
                "From: a@example.com\nSubject: 8bit\nContent-Type: text/plain; charset=utf-8\n\nGrüße 日本\n"
                        .getBytes(UTF_8),
                big.toString().getBytes(UTF_8));
        for (byte[] input : inputs) {
            Path file = Files.write(temp.newFile().toPath(), input);
            run(List.of(LDA.toString(), "-c", config.toString()), file);
        }

        MaildirStore store = new MaildirStore(new MaildirSettings(mailRoot, null, true));
        List<MessageInfo> list = store.list(mailUser);
        assertEquals(inputs.size(), list.size());
        List<Path> written = listing(mailRoot.resolve(mailUser).resolve("new"));
        for (Path file : written) {
            String name = file.getFileName().toString();
            assertTrue("Dovecot names carry ,W=: " + name, MaildirNames.sizeField(name, 'W') >= 0);
            assertEquals(name, MaildirNames.sizeField(name, 'W'), WireSize.scan(file));
        }
        for (int i = 0; i < inputs.size(); i++) {
            byte[] expected = Wire.of(inputs.get(i));
            MessageInfo info = list.get(i);
            assertEquals("message " + i, expected.length, info.size());
            try (InputStream in = store.open(mailUser, info.uid())) {
                assertArrayEquals("message " + i, expected, in.readAllBytes());
            }
        }
        assertEquals(List.of(), listing(mailRoot.resolve(mailUser).resolve("cur")));
    }

    @Test(timeout = 120_000)
    public void dovecotReadsWhatWeDeliverAndWeFollowItsFlagRenames() throws Exception {
        MaildirStore store = new MaildirStore(new MaildirSettings(mailRoot, null, true));
        Map<String, byte[]> delivered = new LinkedHashMap<>();
        for (String message : new String[] {
            "Subject: one\r\n\r\nfirst\r\n", "Subject: two\n\nsecond\n.\nno end", "Subject: three\n\nGrüße\n"
        }) {
            byte[] bytes = message.getBytes(UTF_8);
            delivered.put(store.deliver(mailUser, new java.io.ByteArrayInputStream(bytes)), Wire.of(bytes));
        }
        if (root) {
            run(List.of("chown", "-R", "65534:65534", mailRoot.resolve(mailUser).toString()), null);
        }
        String fetched = run(
                List.of(
                        DOVEADM.toString(),
                        "-c",
                        config.toString(),
                        "fetch",
                        "guid size.virtual",
                        "mailbox",
                        "INBOX",
                        "all"),
                null);
        Matcher m = Pattern.compile("guid: (\\S+)\\s+size\\.virtual: (\\d+)").matcher(fetched);
        Map<String, Long> dovecotSizes = new LinkedHashMap<>();
        while (m.find()) {
            dovecotSizes.put(m.group(1), Long.parseLong(m.group(2)));
        }
        Map<String, Long> ourSizes = new LinkedHashMap<>();
        delivered.forEach((uid, wire) -> ourSizes.put(uid, (long) wire.length));
        assertEquals(fetched, ourSizes, dovecotSizes);

        assertEquals(
                new ArrayList<>(delivered.keySet()),
                store.list(mailUser).stream().map(MessageInfo::uid).collect(Collectors.toList()));
        run(
                List.of(
                        DOVEADM.toString(),
                        "-c",
                        config.toString(),
                        "flags",
                        "add",
                        "\\Seen",
                        "mailbox",
                        "INBOX",
                        "all"),
                null);
        List<Path> renamed = new ArrayList<>(listing(mailRoot.resolve(mailUser).resolve("new")));
        renamed.addAll(listing(mailRoot.resolve(mailUser).resolve("cur")));
        assertEquals(delivered.size(), renamed.size());
        for (Path file : renamed) {
            assertTrue(
                    "Dovecot stored the flag in the name: " + file,
                    file.getFileName().toString().endsWith(":2,S"));
        }
        for (Map.Entry<String, byte[]> e : delivered.entrySet()) {
            try (InputStream in = store.open(mailUser, e.getKey())) {
                assertArrayEquals(e.getKey(), e.getValue(), in.readAllBytes());
            }
        }
        assertEquals(
                new ArrayList<>(delivered.keySet()),
                store.list(mailUser).stream().map(MessageInfo::uid).collect(Collectors.toList()));
    }

    @Test(timeout = 120_000)
    public void dovecotIgnoresTheDeletionJournal() throws Exception {
        MaildirStore store = new MaildirStore(new MaildirSettings(mailRoot, null, true));
        List<String> uids = new ArrayList<>();
        for (String message : new String[] {"Subject: one\n\nfirst\n", "Subject: two\n\nsecond\n"}) {
            uids.add(store.deliver(mailUser, new java.io.ByteArrayInputStream(message.getBytes(UTF_8))));
        }
        Path mailbox = mailRoot.resolve(mailUser);
        String journal = "mailroom-expunge 1\nnew/" + uids.get(0) + "\nend\n";
        Files.writeString(mailbox.resolve(ExpungeJournal.FILE_NAME), journal);
        Files.writeString(mailbox.resolve(ExpungeJournal.TEMP_NAME), journal);
        if (root) {
            run(List.of("chown", "-R", "65534:65534", mailbox.toString()), null);
        }
        assertEquals(
                "INBOX",
                run(List.of(DOVEADM.toString(), "-c", config.toString(), "mailbox", "list"), null)
                        .trim());
        String fetched = run(
                List.of(DOVEADM.toString(), "-c", config.toString(), "fetch", "guid", "mailbox", "INBOX", "all"), null);
        assertEquals(
                fetched,
                uids,
                Pattern.compile("guid: (\\S+)")
                        .matcher(fetched)
                        .results()
                        .map(r -> r.group(1))
                        .toList());
        assertEquals(journal, Files.readString(mailbox.resolve(ExpungeJournal.FILE_NAME)));
        assertEquals(journal, Files.readString(mailbox.resolve(ExpungeJournal.TEMP_NAME)));
    }

    private static void requireTool(Path tool) {
        RequiredTool.require(tool.toString(), "dovecot-core util-linux");
    }

    /** Runs a command (as nobody when we are root), returning stdout; fails on a non-zero exit. */
    private String run(List<String> command, Path stdin) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        boolean dovecot = !command.get(0).equals("chown");
        if (root && dovecot) {
            full.addAll(List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("USER", mailUser);
        pb.environment().put("HOME", mailRoot.resolve(mailUser).toString());
        pb.redirectInput(
                stdin == null
                        ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                        : ProcessBuilder.Redirect.from(stdin.toFile()));
        Path err = temp.newFile().toPath();
        pb.redirectError(err.toFile());
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(full + " timed out");
        }
        assertEquals(full + " failed: " + Files.readString(err), 0, p.exitValue());
        return out.toString(UTF_8);
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
