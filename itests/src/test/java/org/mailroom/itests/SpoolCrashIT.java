package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.mailroom.itests.CrashMail.Outcome;
import org.mailroom.itests.CrashMail.Sent;
import org.mailroom.testing.FreePorts;
import org.mailroom.testing.Poll;
import org.mailroom.testing.SmtpClient;

/**
 * The spool's crash guarantee (issue 8): the distribution runs as a process of its own while
 * senders deliver many messages over SMTP to several local users each; at random moments the
 * Karaf JVM is killed with SIGKILL and started again on the same data folder. Once the spool has
 * drained, every user's Maildir is read on disk: each message that got its final 250 is there
 * exactly once per recipient and whole, no message is there twice, a message whose reply was lost
 * is there at most once per recipient, and a message refused or cut off is not there at all.
 *
 * <p>Not a Pax Exam test: Pax Exam cannot kill its container. The kill points are random; the
 * seed is printed and {@code -Dmailroom.crash.seed=N} repeats a run's messages and kill delays.
 * {@code -Dmailroom.crash.kills=N} sets the number of kills (default 3; bench/spool-crash runs
 * more), {@code -Dmailroom.crash.senders=N} the sender threads (default 4).
 *
 * <p>Also checked: no queue directory is left without its envelope or message (the spool takes a
 * delivered message out of {@code queue/} in one rename before deleting it), and the queue
 * drains with the shipped retry delays (a delivery tried while the store is still starting is
 * retried within seconds, not after the first retry delay).
 */
public class SpoolCrashIT {

    private static final List<String> USERS = List.of("ann", "bob", "cat", "dan", "eve");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);

    /** Generous: a first start, a restart and a few seconds of mail per kill, the drain and the audit. */
    @Rule
    public final Timeout timeout = Timeout.seconds(300 + 60L * Integer.getInteger("mailroom.crash.kills", 3));

    private ExternalServer server;
    private CrashMail mail;

    /**
     * Loads now every class of this test that the JVM would load late: a run lasts minutes, and
     * a build running meanwhile in the same checkout (mvn recompiling itests, installing the test
     * kit) replaces the class files under a running test.
     */
    @BeforeClass
    public static void loadClassesNow() throws ClassNotFoundException {
        for (Class<?> c : List.of(
                CrashMail.class,
                CrashMail.Sent.class,
                CrashMail.Outcome.class,
                ExternalServer.class,
                Audit.class,
                SmtpClient.class,
                SmtpClient.Reply.class,
                Poll.class,
                FreePorts.class)) {
            Class.forName(c.getName(), true, c.getClassLoader());
        }
    }

    @After
    public void stopEverything() throws Exception {
        if (mail != null) {
            try {
                mail.stopSenders();
            } catch (Throwable e) {
                System.err.println("SpoolCrashIT: " + e);
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    public void everyAcknowledgedMessageSurvivesKillsExactlyOncePerRecipient() throws Exception {
        Assume.assumeFalse(
                "bin/karaf server and SIGKILL: Unix only",
                System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).startsWith("windows"));
        long seed = Long.getLong("mailroom.crash.seed", System.nanoTime() & 0xffffffffL);
        int kills = Integer.getInteger("mailroom.crash.kills", 3);
        int senders = Integer.getInteger("mailroom.crash.senders", 4);
        System.out.println("SpoolCrashIT: seed " + seed + " (-Dmailroom.crash.seed=" + seed + " repeats it), " + kills
                + " kills, " + senders + " senders");
        Random random = new Random(seed);
        long began = System.nanoTime();

        Path dir = runDirectory();
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path users = data.resolve("users.passwd");
        StringBuilder passwd = new StringBuilder("# SpoolCrashIT users\n");
        for (String u : USERS) {
            passwd.append(u).append(":{PLAIN}").append(u).append("-password\n");
        }
        Files.writeString(users, passwd, UTF_8);
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));

        int[] ports = FreePorts.of(7);
        int smtp = ports[0];
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_BIND", "127.0.0.1");
        env.put("MAILROOM_SMTP_PORT", Integer.toString(smtp));
        env.put("MAILROOM_POP3_PORT", Integer.toString(ports[1]));
        env.put("MAILROOM_POP3S_PORT", Integer.toString(ports[2]));
        env.put("MAILROOM_SUBMISSION_PORT", Integer.toString(ports[3]));
        env.put("MAILROOM_SMTPS_PORT", Integer.toString(ports[4]));
        env.put("MAILROOM_LMTP_PORT", Integer.toString(ports[5]));
        env.put("MAILROOM_LMTP_BIND", "127.0.0.1");
        env.put("MAILROOM_DATA", data.toString());
        env.put("MAILROOM_USERS_FILE", users.toString());
        env.put("MAILROOM_DOMAINS", CrashMail.DOMAIN);

        Path tarball = Paths.get(System.getProperty("mailroom.assembly"));
        assertTrue("no distribution at " + tarball + " (build assembly/ first)", Files.isRegularFile(tarball));
        server = ExternalServer.unpack(tarball, dir, env, smtp);
        int welcome = countFiles(server.home().resolve("etc/welcome"));

        mail = new CrashMail(seed, USERS, smtp);
        server.start(START_TIMEOUT);
        mail.start = 1;
        mail.startSenders(senders);
        // The first boot installs the features: let it finish (a first delivery) before the first kill.
        Poll.until("a first delivery into a Maildir", START_TIMEOUT, () -> {
            mail.checkSenders();
            return anyKeyedDelivery(data);
        });

        List<String> killLog = new ArrayList<>();
        int queuedAtKills = 0;
        for (int k = 1; k <= kills; k++) {
            // Now and then right after the start (the spool reloading its queue), mostly in full flow.
            long delay = random.nextInt(5) == 0 ? 100 + random.nextInt(900) : 1_000 + random.nextInt(6_000);
            Thread.sleep(delay);
            mail.checkSenders();
            long before = mail.count(Outcome.ACKED);
            long pid = server.kill();
            int queued = countFiles(data.resolve("spool/queue"));
            int receiving = countFiles(data.resolve("spool/incoming"));
            queuedAtKills += queued;
            killLog.add("kill " + k + ": pid " + pid + " " + delay + " ms after start " + server.starts() + ", "
                    + before + " acknowledged so far, " + queued + " in spool/queue and " + receiving
                    + " in spool/incoming at the kill");
            System.out.println("SpoolCrashIT: " + killLog.get(killLog.size() - 1));
            server.start(START_TIMEOUT);
            mail.start = server.starts();
        }
        Thread.sleep(2_000);
        mail.stopSenders();
        long sendingEnded = System.nanoTime();

        Path queue = data.resolve("spool/queue");
        // Drained: nothing left but remnants, directories the spool cannot load and leaves alone.
        boolean drained = Poll.waitFor(DRAIN_TIMEOUT, () -> list(queue).stream().allMatch(SpoolCrashIT::isRemnant));
        long drainMillis = (System.nanoTime() - sendingEnded) / 1_000_000;
        List<String> remnants = new ArrayList<>();
        if (drained) {
            Thread.sleep(2_000); // a removal in progress looks like a remnant for a moment
            for (Path entry : list(queue)) {
                drained &= isRemnant(entry);
                remnants.add("spool remnant: " + entry + " holds only "
                        + list(entry).stream()
                                .map(f -> f.getFileName().toString())
                                .toList()
                        + " (a removal cut short by the kill: never loaded, never removed)");
            }
        }

        Audit audit = audit(data, mail.ledger(), welcome);
        long seconds = (System.nanoTime() - began) / 1_000_000_000L;
        String summary = String.format(
                "SpoolCrashIT summary: seed %d, %d kills (%d messages queued at them), %d starts; messages acknowledged %d, in flight %d"
                        + " (delivered %d), refused %d, partial %d, not sent %d; deliveries checked %d;"
                        + " duplicates %d, lost %d, damaged %d, unexpected %d; tmp leftovers %d;"
                        + " spool drained %s in %d ms, spool remnants %d; run time %d s",
                seed,
                kills,
                queuedAtKills,
                server.starts(),
                mail.count(Outcome.ACKED),
                mail.count(Outcome.IN_FLIGHT),
                audit.inFlightDelivered,
                mail.count(Outcome.REFUSED),
                mail.count(Outcome.PARTIAL),
                mail.notSent(),
                audit.checked,
                audit.duplicates.size(),
                audit.lost.size(),
                audit.damaged.size(),
                audit.unexpected.size(),
                audit.tmpLeftovers.size(),
                drained ? "yes" : "NO",
                drainMillis,
                remnants.size(),
                seconds);
        System.out.println(summary);
        killLog.forEach(l -> System.out.println("SpoolCrashIT: " + l));
        audit.tmpLeftovers.forEach(l -> System.out.println("SpoolCrashIT: tmp leftover " + l));
        remnants.forEach(l -> System.out.println("SpoolCrashIT: BUG " + l));
        Files.writeString(
                dir.resolve("summary.txt"),
                summary + "\n" + String.join("\n", killLog) + "\n" + String.join("\n", remnants) + "\n"
                        + audit.report());

        List<String> problems = new ArrayList<>();
        problems.addAll(audit.lost);
        problems.addAll(audit.duplicates);
        problems.addAll(audit.damaged);
        problems.addAll(audit.unexpected);
        if (!drained) {
            problems.add("the spool did not drain within " + DRAIN_TIMEOUT.toSeconds() + " s: " + describeQueue(queue));
        }
        problems.addAll(remnants);
        if (mail.count(Outcome.ACKED) < 50) {
            problems.add("too few messages acknowledged to prove anything: " + mail.count(Outcome.ACKED));
        }
        if (!problems.isEmpty()) {
            fail(summary + "\nseed " + seed + ", data in " + data + ", Karaf log " + server.karafLog() + "\n"
                    + String.join("\n", problems.subList(0, Math.min(problems.size(), 40))));
        }
    }

    // ---- the check, on disk

    /** What the Maildirs hold, against the ledger. */
    private static final class Audit {
        final List<String> lost = new ArrayList<>();
        final List<String> duplicates = new ArrayList<>();
        final List<String> damaged = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        final List<String> tmpLeftovers = new ArrayList<>();
        long checked;
        long inFlightDelivered;

        String report() {
            StringBuilder r = new StringBuilder();
            for (List<String> l : List.of(lost, duplicates, damaged, unexpected, tmpLeftovers)) {
                l.forEach(s -> r.append(s).append('\n'));
            }
            return r.toString();
        }
    }

    private static Audit audit(Path data, List<Sent> ledger, int welcome) throws IOException {
        Audit audit = new Audit();
        Map<String, Sent> byMarker = new HashMap<>();
        for (Sent s : ledger) {
            byMarker.put(s.marker(), s);
        }
        Map<String, Map<String, List<Path>>> found = new TreeMap<>(); // user -> marker -> files
        for (String user : USERS) {
            Path maildir = data.resolve("mail").resolve(user);
            Map<String, List<Path>> mine = new HashMap<>();
            found.put(user, mine);
            int welcomes = 0;
            for (String sub : List.of("new", "cur")) {
                for (Path file : list(maildir.resolve(sub))) {
                    String content = Files.readString(file, UTF_8);
                    String marker = markerOf(content);
                    if (marker == null) {
                        welcomes++;
                        continue;
                    }
                    mine.computeIfAbsent(marker, m -> new ArrayList<>()).add(file);
                    Sent s = byMarker.get(marker);
                    if (s == null) {
                        audit.unexpected.add("unexpected: " + file + " carries " + marker + ", never sent whole");
                        continue;
                    }
                    if (!s.users().contains(user)) {
                        audit.unexpected.add("misdelivered: " + file + " carries " + marker + " for " + s.users());
                    }
                    if (!content.endsWith("\n" + s.onDisk())) {
                        audit.damaged.add("damaged: " + file + " (" + content.length() + " chars) is not " + marker
                                + " as sent (" + s.onDisk().length() + " chars, last line " + s.lastLine()
                                + (content.contains(s.lastLine()) ? " present)" : " MISSING)"));
                    } else if (!content.contains("\nDelivered-To: " + user + "@" + CrashMail.DOMAIN + "\n")) {
                        audit.damaged.add("no Delivered-To " + user + " in " + file);
                    }
                }
            }
            if (Files.isDirectory(maildir) && welcomes != welcome) {
                audit.duplicates.add(
                        "welcome messages: " + welcomes + " in " + maildir + ", the distribution has " + welcome);
            }
            for (Path file : list(maildir.resolve("tmp"))) {
                String marker = markerOf(Files.readString(file, UTF_8));
                String name = file.getFileName().toString();
                List<Path> delivered = marker == null ? List.of() : mine.getOrDefault(marker, List.of());
                String fate = delivered.isEmpty()
                        ? "not delivered from this file"
                        : delivered.stream()
                                        .anyMatch(
                                                d -> d.getFileName().toString().startsWith(name + ","))
                                ? "the same file is in new/: killed between link(2) and unlink(2)"
                                : "delivered again after the restart: " + delivered;
                audit.tmpLeftovers.add(
                        file + " (" + Files.size(file) + " octets, marker " + marker + ", " + fate + ")");
            }
        }
        for (Path p : list(data.resolve("mail"))) {
            if (p.getFileName().toString().startsWith(".")) {
                audit.tmpLeftovers.add(p + " (a mailbox being created when the server was killed)");
            }
        }
        for (Sent s : ledger) {
            boolean deliveredToAll = true;
            for (String user : s.users()) {
                List<Path> files = found.get(user).getOrDefault(s.marker(), List.of());
                audit.checked += files.size();
                if (files.size() > 1) {
                    audit.duplicates.add("duplicate: " + s.marker() + " (" + s.outcome() + ", start " + s.start() + ") "
                            + files.size() + " times for " + user + ": " + files);
                }
                if (files.isEmpty()) {
                    deliveredToAll = false;
                }
                // IN_FLIGHT: at most once, checked above. (No switch: its synthetic class loads late.)
                if (s.outcome() == Outcome.ACKED && files.isEmpty()) {
                    audit.lost.add("lost: " + s.marker() + " (acknowledged " + s.reply() + ", start " + s.start()
                            + ") not in the Maildir of " + user);
                } else if ((s.outcome() == Outcome.REFUSED || s.outcome() == Outcome.PARTIAL) && !files.isEmpty()) {
                    audit.unexpected.add("delivered although " + s.outcome() + " (" + s.reply() + "): " + s.marker()
                            + " to " + user + ": " + files);
                }
            }
            if (s.outcome() == Outcome.IN_FLIGHT && deliveredToAll) {
                audit.inFlightDelivered++;
            }
        }
        return audit;
    }

    private static String markerOf(String content) {
        int headerEnd = content.indexOf("\n\n");
        String headers = headerEnd < 0 ? content : content.substring(0, headerEnd + 1);
        int at = headers.indexOf("\n" + CrashMail.MARKER_HEADER);
        if (at < 0) {
            return null;
        }
        int from = at + 1 + CrashMail.MARKER_HEADER.length();
        return headers.substring(from, headers.indexOf('\n', from));
    }

    private static boolean anyKeyedDelivery(Path data) {
        for (String user : USERS) {
            for (Path file : list(data.resolve("mail").resolve(user).resolve("new"))) {
                if (file.getFileName().toString().contains("K")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A queue directory without its envelope or its message, which FileSpool could neither load
     * nor remove: what a kill during a file-by-file removal used to leave.
     */
    private static boolean isRemnant(Path entry) {
        return !Files.isRegularFile(entry.resolve("envelope")) || !Files.isRegularFile(entry.resolve("message"));
    }

    private static String describeQueue(Path queue) {
        StringBuilder d = new StringBuilder();
        for (Path entry : list(queue)) {
            d.append("\n  ").append(entry.getFileName()).append(':');
            for (Path f : list(entry)) {
                d.append(' ').append(f.getFileName());
            }
        }
        return d.toString();
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int countFiles(Path dir) {
        return list(dir).size();
    }

    /** A fresh target/crash-N folder. */
    private static Path runDirectory() throws IOException {
        Path target = Paths.get(System.getProperty("project.build.directory", "target"));
        for (int n = 1; ; n++) {
            Path dir = target.resolve("crash-" + n);
            if (!Files.exists(dir)) {
                return Files.createDirectories(dir);
            }
        }
    }
}
