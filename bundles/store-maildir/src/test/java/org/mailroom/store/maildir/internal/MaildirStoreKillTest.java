package org.mailroom.store.maildir.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.store.MessageInfo;

/**
 * kill -9 around {@link MaildirStore#delete}: a child JVM deletes some of a mailbox's messages
 * with fsync on and is killed with SIGKILL at a random moment; a fresh store then opens the
 * mailbox, completing any journal, and either all or none of the chosen messages must be gone,
 * the others byte for byte intact.
 *
 * <p>How long a deletion takes depends on the machine and the disk, so the kill moments find it:
 * the first trials let the child finish and measure the deletion, and each later trial kills at a
 * random 50 to 150 % of an aim, counted from the child's "deleting", that starts at half the
 * measured time and moves later after a kill that came before the deletion and earlier after one
 * that came after it. Kills so cluster where the deletion is under way, and still land before
 * and after it too. Rerun a failure with {@code -Dmailroom.killtest.seed=<seed>}: the messages,
 * the choices and the random factors repeat, the timing of course does not.
 */
public class MaildirStoreKillTest {

    private static final int TRIALS = 40;
    /** Enough deleted messages that removing them takes longer than the kill's own jitter. */
    private static final int MESSAGES = 60;

    private static final int DELETED = 30;
    /** Trials that let the child finish, to measure how long a deletion takes. */
    private static final int CALIBRATION_TRIALS = 3;
    /** No new trial starts after this, to keep the test well under a minute on a slow machine. */
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(25);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private enum Kill {
        BEFORE,
        DURING,
        AFTER,
        TORN
    }

    @Test(timeout = 120_000)
    public void killedDeletionLeavesAllOrNoneOfItsMessages() throws Exception {
        long seed = Long.getLong("mailroom.killtest.seed", 20261123L);
        System.out.println("kill test seed " + seed);
        Random random = new Random(seed);
        Path root = temp.newFolder("mail").toPath();
        Path scratch = temp.newFolder("scratch").toPath();
        MaildirStore setup = new MaildirStore(new MaildirSettings(root, null, false));
        Map<Kill, Integer> counts = new LinkedHashMap<>();
        for (Kill k : Kill.values()) {
            counts.put(k, 0);
        }
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        long aim = 0;
        int halfDone = 0;
        int trials = 0;
        for (int trial = 0; trial < TRIALS && System.nanoTime() - started < BUDGET_NANOS; trial++, trials++) {
            String user = "trial" + trial;
            Map<String, byte[]> wire = new LinkedHashMap<>();
            for (int i = 0; i < MESSAGES; i++) {
                byte[] message = message(random, trial, i);
                wire.put(setup.deliver(user, new ByteArrayInputStream(message)), Wire.of(message));
            }
            List<String> uids = new ArrayList<>(wire.keySet());
            Collections.shuffle(uids, random);
            Set<String> chosen = new HashSet<>(uids.subList(0, DELETED));
            double factor = 0.5 + random.nextDouble();
            long delayNanos = trial < CALIBRATION_TRIALS ? -1 : (long) (factor * aim);

            long took = runAndKill(root, scratch, user, chosen, delayNanos);

            Path mailbox = root.resolve(user);
            boolean journalFound = Files.exists(mailbox.resolve(ExpungeJournal.FILE_NAME));
            Set<String> onDisk = baseNames(mailbox);
            long chosenLeft = chosen.stream().filter(onDisk::contains).count();
            Kill kill = journalFound
                    ? Kill.DURING
                    : chosenLeft == DELETED ? Kill.BEFORE : chosenLeft == 0 ? Kill.AFTER : Kill.TORN;
            counts.merge(kill, 1, Integer::sum);
            if (kill == Kill.DURING && chosenLeft > 0 && chosenLeft < DELETED) {
                halfDone++;
            }
            if (trial < CALIBRATION_TRIALS) {
                aim = Math.max(aim, took / 2);
            } else if (kill == Kill.BEFORE) {
                aim = aim * 115 / 100;
            } else if (kill == Kill.AFTER) {
                aim = aim * 87 / 100;
            }

            MaildirStore restarted = new MaildirStore(new MaildirSettings(root, null, true));
            if (trial % 2 == 0) {
                restarted.completeInterruptedDeletions();
            }
            List<String> listed =
                    restarted.list(user).stream().map(MessageInfo::uid).toList();
            Set<String> gone = new HashSet<>(wire.keySet());
            gone.removeAll(listed);
            String when = delayNanos < 0
                    ? "after the deletion returned in " + took / 1000 + " us"
                    : delayNanos / 1000 + " us after 'deleting'";
            String what = "trial " + trial + " (killed " + when + ", " + kill + ", " + chosenLeft + " of " + DELETED
                    + " chosen on disk): ";
            System.out.println(what + gone.size() + " gone after recovery");
            if (!gone.isEmpty() && !gone.equals(chosen)) {
                failures.add(what + "partial deletion: " + gone.size() + " of " + DELETED + " gone, " + "others gone: "
                        + !chosen.containsAll(gone));
            }
            if (journalFound && !gone.equals(chosen)) {
                failures.add(what + "the journal was on disk but recovery did not complete it");
            }
            if (Files.exists(mailbox.resolve(ExpungeJournal.FILE_NAME))) {
                failures.add(what + "the journal is still there after recovery");
            }
            for (String uid : listed) {
                try (InputStream in = restarted.open(user, uid)) {
                    if (!java.util.Arrays.equals(wire.get(uid), in.readAllBytes())) {
                        failures.add(what + "message " + uid + " changed");
                    }
                }
            }
        }
        String summary = "kill trials: " + trials + " run, " + counts.get(Kill.BEFORE) + " killed before the delete, "
                + counts.get(Kill.DURING) + " during (journal on disk; " + halfDone + " of them with the files partly "
                + "removed), " + counts.get(Kill.AFTER) + " after, "
                + counts.get(Kill.TORN) + " torn (some deleted, no journal); seed " + seed;
        System.out.println(summary);
        System.err.println(summary);
        if (!failures.isEmpty()) {
            fail(summary + "\n" + String.join("\n", failures));
        }
        assertTrue(summary, trials > 0);
    }

    /**
     * Starts the child and kills it {@code delayNanos} after it says "deleting", or, when
     * {@code delayNanos} is negative, once it says "deleted".
     *
     * @return how long the deletion took, as seen from here, when the child was let finish; else 0
     */
    private long runAndKill(Path root, Path scratch, String user, Set<String> uids, long delayNanos) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                DeleteInChild.class.getName(),
                root.toString(),
                scratch.toString(),
                user));
        command.addAll(uids);
        Path stderr = temp.newFile().toPath();
        Process child =
                new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));
            String line = out.readLine();
            if (!"deleting".equals(line)) {
                child.waitFor(10, TimeUnit.SECONDS);
                fail("child said " + line + " instead of 'deleting'; stderr: " + Files.readString(stderr));
            }
            long saidDeleting = System.nanoTime();
            long took = 0;
            if (delayNanos < 0) {
                line = out.readLine();
                took = System.nanoTime() - saidDeleting;
                if (line == null || !line.startsWith("deleted ")) {
                    child.waitFor(10, TimeUnit.SECONDS);
                    fail("child said " + line + " instead of 'deleted'; stderr: " + Files.readString(stderr));
                }
            }
            while (System.nanoTime() - saidDeleting < delayNanos) {
                Thread.onSpinWait();
            }
            child.destroyForcibly();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                fail("child did not die");
            }
            return took;
        } finally {
            child.destroyForcibly();
        }
    }

    private static Set<String> baseNames(Path mailbox) throws IOException {
        Set<String> names = new HashSet<>();
        for (String dir : new String[] {"new", "cur"}) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(mailbox.resolve(dir))) {
                for (Path file : files) {
                    names.add(MaildirNames.uid(file.getFileName().toString()));
                }
            }
        }
        return names;
    }

    private static byte[] message(Random random, int trial, int index) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("Subject: trial " + trial + " message " + index + "\r\n\r\n").getBytes(UTF_8));
        int lines = 1 + random.nextInt(200);
        for (int i = 0; i < lines; i++) {
            if (random.nextInt(10) == 0) {
                out.write('.');
            }
            int length = random.nextInt(100);
            for (int j = 0; j < length; j++) {
                out.write(0x20 + random.nextInt(0x5F));
            }
            out.writeBytes(random.nextBoolean() ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
        }
        return out.toByteArray();
    }
}
