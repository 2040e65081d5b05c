package org.mailroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.delivery.DeliveryService;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.api.spool.QueuedMessage;
import org.mailroom.api.spool.RecipientStatus;
import org.mailroom.api.spool.Spool;
import org.mailroom.api.store.MailStore;
import org.mailroom.testing.Poll;
import org.mailroom.testing.SessionLoad;
import org.mailroom.testing.SmtpClient;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.service.cm.Configuration;

/**
 * Mail in over the MX port while every bundle on its way is updated: 16 senders that retry as
 * an MTA does deliver messages with unique markers while {@code bundle:update} replaces the
 * SMTP protocol, the Maildir store, the spool and local delivery; then every acknowledged
 * message must be in each recipient's Maildir exactly once. Also the {@code mail:queue-*}
 * console commands on a message that waits while delivery is stopped.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class SmtpHotSwapIT extends MailroomTestSupport {

    private static final String SMTP_BSN = "org.mailroom.smtp";
    private static final String STORE_BSN = "org.mailroom.store.maildir";
    private static final String SPOOL_BSN = "org.mailroom.spool";
    private static final String DELIVERY_BSN = "org.mailroom.delivery";
    private static final String WORDS_BSN = "org.mailroom.filter.words";
    private static final String WORDS_FILTER = "(" + ContentFilter.NAME + "=sensitive-words)";
    private static final String FORBIDDEN = "绝密";

    private static final int SENDERS = 16;
    private static final int MESSAGES_PER_SESSION = 3;
    private static final List<String> USERS = List.of("swap1", "swap2", "swap3", "swap4");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    /** Load before and after each update runs at least this long. */
    private static final Duration PHASE = Duration.ofSeconds(2);

    private static final Pattern MARKER = Pattern.compile("(?m)^X-Marker: (\\S+)\r?$");

    @Override
    protected Option[] additionalOptions() {
        // 16 senders reconnecting after every session and every 421 come from one address: the
        // shipped per-address rate (300 a minute) would turn most of the run into refusals.
        return new Option[] {
            editConfigurationFilePut("etc/org.mailroom.listener-smtp.cfg", "maxConnectionRatePerIp", "1000000"),
            editConfigurationFilePut("etc/org.mailroom.listener-smtp.cfg", "maxConnectionsPerIp", "200")
        };
    }

    // ---------------------------------------------------------------------------------------
    // 1. the queue commands on a message that waits while delivery is stopped
    // ---------------------------------------------------------------------------------------

    @Test(timeout = 90_000)
    public void t1_queueCommandsShowAMessageWaitingWhileDeliveryIsStopped() throws Exception {
        createUsers();
        getOsgiService(Spool.class);
        Poll.until("SMTP port accepting", TIMEOUT, () -> accepts(smtpPort()));
        Poll.until("the queue is empty", TIMEOUT, () -> queueFiles().isEmpty());
        assertTrue(executeCommand("mail:queue-list").contains("Queue is empty"));

        String kept = "queue-kept-" + System.nanoTime();
        String dropped = "queue-dropped-" + System.nanoTime();
        String keptId;
        String droppedId;
        executeAsAdmin("bundle:stop " + DELIVERY_BSN);
        try {
            Poll.until("no DeliveryService registered", TIMEOUT, () -> !hasService(DeliveryService.class));
            keptId = sendOne(kept, "swap1@localhost");
            droppedId = sendOne(dropped, "swap2@" + TEST_DOMAIN);

            String list = executeCommand("mail:queue-list");
            assertTrue(list, list.contains(keptId + "  "));
            assertTrue(list, list.contains("from <queue@example.org>  to swap1@localhost: waiting, 0 attempts, next "));
            assertTrue(list, list.contains(droppedId + "  "));
            assertTrue(list, list.contains("swap2@" + TEST_DOMAIN + ": waiting"));
            assertTrue(list, list.contains("2 messages"));

            String show = executeCommand("mail:queue-show " + keptId);
            assertTrue(show, show.contains("Message:  " + keptId));
            assertTrue(show, show.contains("Sender:   <queue@example.org>"));
            assertTrue(show, show.contains("X-Marker: " + kept));
            assertTrue(show, show.contains("Received: from sender.example.org"));
            assertFalse("headers only: " + show, show.contains("body of " + kept));
            String full = executeCommand("mail:queue-show --full " + keptId);
            assertTrue(full, full.contains("body of " + kept));

            String retried = executeCommand("mail:queue-retry " + keptId);
            assertTrue(retried, retried.contains("1 recipient of " + keptId + " made due now"));

            String deleted = executeCommand("mail:queue-delete " + droppedId);
            assertTrue(deleted, deleted.contains("Deleted " + droppedId + ": "));
            assertTrue(deleted, deleted.contains(" from <queue@example.org> to swap2@" + TEST_DOMAIN + " (waiting)"));
            try {
                String again = executeCommand("mail:queue-delete " + droppedId);
                throw new AssertionError("deleting an unknown id should fail, got: " + again);
            } catch (AssertionError expected) {
                Throwable cause = expected.getCause();
                assertTrue(
                        String.valueOf(expected),
                        cause != null && cause.getMessage().contains("Unknown message: " + droppedId));
            }
            list = executeCommand("mail:queue-list");
            assertTrue(list, list.contains(keptId) && !list.contains(droppedId) && list.contains("1 message"));
        } finally {
            executeAsAdmin("bundle:start " + DELIVERY_BSN);
        }
        Poll.until(
                "the queue drained after bundle:start " + DELIVERY_BSN,
                TIMEOUT,
                () -> queueFiles().isEmpty());
        assertTrue(executeCommand("mail:queue-list").contains("Queue is empty"));
        assertEquals("kept message delivered once", 1, count(markers("swap1"), kept));
        assertEquals("deleted message never delivered", 0, count(markers("swap2"), dropped));
    }

    private String sendOne(String marker, String to) throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(LOCALHOST, smtpPort(), TIMEOUT)) {
            assertEquals(220, smtp.reply().code());
            assertEquals(250, smtp.command("EHLO sender.example.org").code());
            assertEquals(250, smtp.command("MAIL FROM:<queue@example.org>").code());
            assertEquals(250, smtp.command("RCPT TO:<" + to + ">").code());
            SmtpClient.Reply queued =
                    smtp.data("Subject: queue test\r\nX-Marker: " + marker + "\r\n\r\nbody of " + marker + "\r\n");
            assertEquals(queued.toString(), 250, queued.code());
            assertEquals(221, smtp.command("QUIT").code());
            String text = queued.text();
            return text.substring(text.indexOf("queued as ") + "queued as ".length())
                    .trim();
        }
    }

    // ---------------------------------------------------------------------------------------
    // 2. bundle:update of everything on the way in, under load
    // ---------------------------------------------------------------------------------------

    @Test(timeout = 240_000)
    public void t2_updatesOfSmtpStoreSpoolAndDeliveryUnderLoadLoseAndDuplicateNothing() throws Exception {
        createUsers();
        Poll.until("SMTP port accepting", TIMEOUT, () -> accepts(smtpPort()));
        Map<String, Map<String, Integer>> before = new HashMap<>();
        for (String user : USERS) {
            before.put(user, markers(user));
        }
        SmtpHotSwapSender senders =
                new SmtpHotSwapSender(LOCALHOST, smtpPort(), CLIENT_TIMEOUT, USERS, SENDERS, MESSAGES_PER_SESSION);
        long t0 = System.nanoTime();
        List<String> updates = new ArrayList<>();
        String queueDuringLoad;
        try (SessionLoad load = SessionLoad.start("smtp-sender", SENDERS, senders::session)) {
            Poll.until(
                    "every sender completed a session before the updates",
                    TIMEOUT,
                    () -> load.clientsWithSessions() == SENDERS || load.failed());
            load.runAtLeast(PHASE);
            load.assertNoFailures("before the updates");

            updates.add(updateUnderLoad(load, SMTP_BSN, Protocol.class, "(" + Protocol.NAME + "=smtp)"));
            updates.add(updateUnderLoad(load, STORE_BSN, MailStore.class, null));
            updates.add(updateUnderLoad(load, SPOOL_BSN, Spool.class, null));
            updates.add(updateUnderLoad(load, DELIVERY_BSN, DeliveryService.class, null));

            load.stop(CLIENT_TIMEOUT.multipliedBy(3));
            load.assertNoFailures("during or after the updates");
            queueDuringLoad = executeCommand("mail:queue-list");
        }
        long sendingMillis = (System.nanoTime() - t0) / 1_000_000;

        assertAcknowledgedDeliveredOnce(senders, before, updates, sendingMillis, queueDuringLoad);
    }

    @Test(timeout = 240_000)
    public void t3_aRequiredFilterUpdatedAndStoppedUnderLoadLetsNothingThroughUnfiltered() throws Exception {
        createUsers();
        Poll.until("SMTP port accepting", TIMEOUT, () -> accepts(smtpPort()));
        Path rules = Path.of(System.getProperty("karaf.etc")).resolve("mailroom-words.rules");
        Files.writeString(rules, "reject word " + FORBIDDEN + "\n", StandardCharsets.UTF_8);
        // Required first: mail is deferred until the filter is there, which shows the setting applied.
        Configuration delivery = configurationAdmin.getConfiguration("org.mailroom.delivery", null);
        Dictionary<String, Object> properties = delivery.getProperties();
        properties.put("requiredFilters", "sensitive-words");
        delivery.update(properties);
        Poll.until(
                "mail deferred while the required filter is not installed",
                TIMEOUT,
                () -> probe().startsWith("451 4.7.1 Content filter sensitive-words is not available"));
        executeAsAdmin("feature:install mailroom-filter-words-core");
        getOsgiService(ContentFilter.class, WORDS_FILTER, TIMEOUT);
        Poll.until("mail accepted once the filter is installed", TIMEOUT, () -> probe().startsWith("250 "));
        try {
            Map<String, Map<String, Integer>> before = new HashMap<>();
            for (String user : USERS) {
                before.put(user, markers(user));
            }
            SmtpHotSwapSender senders = new SmtpHotSwapSender(
                    LOCALHOST, smtpPort(), CLIENT_TIMEOUT, USERS, SENDERS, MESSAGES_PER_SESSION, FORBIDDEN, 4);
            long t0 = System.nanoTime();
            List<String> updates = new ArrayList<>();
            String queueDuringLoad;
            try (SessionLoad load = SessionLoad.start("smtp-sender", SENDERS, senders::session)) {
                Poll.until(
                        "every sender completed a session before the updates",
                        TIMEOUT,
                        () -> load.clientsWithSessions() == SENDERS || load.failed());
                load.runAtLeast(PHASE);
                load.assertNoFailures("before the updates");
                updates.add(updateUnderLoad(load, WORDS_BSN, ContentFilter.class, WORDS_FILTER));
                executeAsAdmin("bundle:stop " + WORDS_BSN);
                long stopped = System.nanoTime();
                load.runAtLeast(PHASE);
                executeAsAdmin("bundle:start " + WORDS_BSN);
                long back = System.nanoTime();
                updates.add(WORDS_BSN + " stopped for " + (back - stopped) / 1_000_000 + " ms");
                Poll.until(
                        SENDERS + " sessions completed after the filter came back",
                        Duration.ofSeconds(60),
                        () -> load.completedStartedAfter(back) >= SENDERS || load.failed());
                load.stop(CLIENT_TIMEOUT.multipliedBy(3));
                load.assertNoFailures("during or after the filter's update and stop");
                queueDuringLoad = executeCommand("mail:queue-list");
            }
            long sendingMillis = (System.nanoTime() - t0) / 1_000_000;
            List<String> letThrough = new ArrayList<>();
            for (SmtpHotSwapSender.Acknowledged a : senders.acknowledged) {
                if (a.message().forbidden()) {
                    letThrough.add(a.message().marker());
                }
            }
            System.out.println(
                    "SmtpHotSwapIT: " + senders.refused.size() + " messages with the forbidden word refused, "
                            + letThrough.size() + " acknowledged; retried for: " + senders.retryReasons());
            assertEquals("forbidden messages acknowledged: " + letThrough, List.of(), letThrough);
            assertTrue("forbidden messages were sent and refused", senders.refused.size() > 0);
            assertAcknowledgedDeliveredOnce(senders, before, updates, sendingMillis, queueDuringLoad);
        } finally {
            properties.put("requiredFilters", "");
            delivery.update(properties);
            executeAsAdmin("feature:uninstall mailroom-filter-words-core");
        }
    }

    /**
     * After the load: every acknowledged message in each recipient's Maildir exactly once, and
     * nothing there that was not acknowledged (a message a filter refused included).
     */
    private void assertAcknowledgedDeliveredOnce(
            SmtpHotSwapSender senders,
            Map<String, Map<String, Integer>> before,
            List<String> updates,
            long sendingMillis,
            String queueDuringLoad)
            throws Exception {
        // Deliveries tried while a service was away wait for their retry delay (60 s by
        // default): count them as the console shows them, then make them due now.
        long drainStart = System.nanoTime();
        Poll.waitFor(Duration.ofSeconds(10), () -> queueFiles().isEmpty());
        String waiting = executeCommand("mail:queue-list");
        int deferred = countMatches(waiting, ", last error: ");
        Map<String, Integer> deferredErrors = new TreeMap<>();
        for (Matcher m = Pattern.compile("last error: ([^;\\r\\n]*)").matcher(waiting); m.find(); ) {
            deferredErrors.merge(m.group(1), 1, Integer::sum);
        }
        String retried = executeCommand("mail:queue-retry");
        Poll.until(
                "the spool drained", Duration.ofSeconds(60), () -> queueFiles().isEmpty());
        long drainMillis = (System.nanoTime() - drainStart) / 1_000_000;
        List<String> leftInIncoming = list(dataFolder().resolve("spool/incoming"));

        // Every acknowledged message exactly once per recipient.
        Map<String, Map<String, Integer>> onDisk = new HashMap<>();
        for (String user : USERS) {
            Map<String, Integer> now = markers(user);
            before.get(user).forEach((marker, n) -> now.merge(marker, -n, Integer::sum));
            now.values().removeIf(n -> n == 0);
            onDisk.put(user, now);
        }
        List<String> lost = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        Map<String, List<String>> expected = new HashMap<>();
        int recipients = 0;
        int acknowledged = 0;
        int maxTries = 0;
        for (SmtpHotSwapSender.Acknowledged a : senders.acknowledged) {
            acknowledged++;
            maxTries = Math.max(maxTries, a.tries());
            for (String user : a.message().users()) {
                recipients++;
                expected.computeIfAbsent(user, u -> new ArrayList<>())
                        .add(a.message().marker());
                int n = onDisk.get(user).getOrDefault(a.message().marker(), 0);
                String what = a.message().marker() + " (queue id " + a.queueId() + ", " + a.tries() + " tries"
                        + (senders.ambiguous.contains(a.message().marker()) ? ", retried after the final dot" : "")
                        + ") to " + user;
                if (n == 0) {
                    lost.add(what);
                } else if (n > 1) {
                    duplicated.add(what + " x" + n);
                }
            }
        }
        List<String> unexpected = new ArrayList<>();
        onDisk.forEach((user, markers) -> markers.forEach((marker, n) -> {
            if (!expected.getOrDefault(user, List.of()).contains(marker)) {
                unexpected.add(marker + " x" + n + " in " + user);
            }
        }));
        System.out.println(String.format(
                Locale.ROOT,
                "SmtpHotSwapIT: %d messages acknowledged by %d senders in %d ms (%d recipient deliveries, "
                        + "%d retries, at most %d tries for one, %d retried after the final dot); %s; "
                        + "retried for: %s; %d recipient(s) still deferred 10 s after the load (%s), mail:queue-retry: %s; "
                        + "spool drained %d ms after the senders stopped; %d lost, %d duplicated, %d unexpected%s%s%s",
                acknowledged,
                SENDERS,
                sendingMillis,
                recipients,
                senders.retries.get(),
                maxTries,
                senders.ambiguous.size(),
                String.join("; ", updates),
                senders.retryReasons(),
                deferred,
                deferredErrors,
                retried.trim(),
                drainMillis,
                lost.size(),
                duplicated.size(),
                unexpected.size(),
                lost.isEmpty() ? "" : "; lost: " + first(lost),
                duplicated.isEmpty() ? "" : "; duplicated: " + first(duplicated),
                unexpected.isEmpty() ? "" : "; unexpected: " + first(unexpected)));
        if (!queueDuringLoad.contains("Queue is empty")) {
            System.out.println("SmtpHotSwapIT: queue when the senders stopped (first lines):\n"
                    + String.join(
                            "\n",
                            List.of(queueDuringLoad.split("\\R"))
                                    .subList(0, Math.min(3, queueDuringLoad.split("\\R").length))));
        }
        assertTrue("acknowledged messages", acknowledged > 0);
        assertEquals("lost: " + first(lost), 0, lost.size());
        assertEquals("duplicated: " + first(duplicated), 0, duplicated.size());
        assertEquals("delivered but never acknowledged: " + first(unexpected), 0, unexpected.size());
        assertEquals("nothing left in spool/incoming", List.of(), leftInIncoming);
    }

    /** Updates a bundle under load; returns its line of the summary. */
    private String updateUnderLoad(SessionLoad load, String bsn, Class<?> service, String filter) throws Exception {
        long lastModified = bundle(bsn).getLastModified();
        long[] gap = new long[2];
        ServiceListener gapWatch = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING && gap[0] == 0) {
                gap[0] = System.nanoTime();
            } else if (event.getType() == ServiceEvent.REGISTERED && gap[0] != 0 && gap[1] == 0) {
                gap[1] = System.nanoTime();
            }
        };
        String objectClass = "(objectClass=" + service.getName() + ")";
        bundleContext.addServiceListener(gapWatch, filter == null ? objectClass : "(&" + objectClass + filter + ")");
        long start = System.nanoTime();
        String out;
        try {
            out = executeAsAdmin("bundle:update " + bsn);
        } finally {
            bundleContext.removeServiceListener(gapWatch);
        }
        long end = System.nanoTime();
        assertTrue(service.getSimpleName() + " went away and came back during the update", gap[0] != 0 && gap[1] != 0);
        assertFalse("console output: " + out, out.toLowerCase(Locale.ROOT).contains("error"));
        assertTrue(bsn + " was updated (last modified changes)", bundle(bsn).getLastModified() != lastModified);
        assertEquals(
                bsn + " ACTIVE after the update", Bundle.ACTIVE, bundle(bsn).getState());

        Poll.until(
                SENDERS + " sessions started after updating " + bsn + " completed",
                Duration.ofSeconds(60),
                () -> load.completedStartedAfter(end) >= SENDERS || load.failed());
        load.runAtLeast(PHASE);
        load.assertNoFailures("during or after bundle:update " + bsn);
        long inFlight = load.overlapping(start, end);
        assertTrue("sessions were in flight while " + bsn + " was updated", inFlight > 0);
        return String.format(
                Locale.ROOT,
                "%s updated in %d ms, service away %d ms, %d sessions in flight, deliveries newly deferred: %s",
                bsn,
                (end - start) / 1_000_000,
                (gap[1] - gap[0]) / 1_000_000,
                inFlight,
                newlyDeferred());
    }

    /** Recipients already seen deferred (a failed attempt) or failed, as "queue id/address". */
    private final Set<String> deferredSeen = new HashSet<>();

    /** The recipients deferred or failed since the last call, counted by state and last error. */
    private String newlyDeferred() throws Exception {
        Map<String, Integer> byError = new TreeMap<>();
        Instant now = Instant.now();
        long longestWait = 0;
        for (QueuedMessage m : getOsgiService(Spool.class).list()) {
            for (RecipientStatus r : m.recipients()) {
                boolean troubled = r.state() == RecipientStatus.State.FAILED
                        || (r.state() == RecipientStatus.State.WAITING && r.attempts() > 0);
                if (troubled && deferredSeen.add(m.id() + "/" + r.address())) {
                    long wait = r.nextAttempt() == null
                            ? 0
                            : Duration.between(now, r.nextAttempt()).toSeconds();
                    byError.merge(
                            r.state().name().toLowerCase(Locale.ROOT) + " (" + r.lastError() + ")", 1, Integer::sum);
                    longestWait = Math.max(longestWait, wait);
                }
            }
        }
        return byError.isEmpty() ? "none" : byError + " due again within " + longestWait + " s";
    }

    // ---- helpers

    private void createUsers() throws Exception {
        UserDirectory directory = getOsgiService(UserDirectory.class);
        for (String user : USERS) {
            if (!directory.exists(user)) {
                directory.add(user, "Smtp hot swap 1");
            }
        }
    }

    /** The markers in a user's Maildir (new and cur), with how many messages carry each. */
    private Map<String, Integer> markers(String user) throws IOException {
        Map<String, Integer> found = new HashMap<>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir(user).resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    int end = text.indexOf("\r\n\r\n");
                    Matcher m = MARKER.matcher(end < 0 ? text : text.substring(0, end + 2));
                    if (m.find()) {
                        found.merge(m.group(1), 1, Integer::sum);
                    }
                }
            }
        }
        return found;
    }

    private static int count(Map<String, Integer> markers, String marker) {
        return markers.getOrDefault(marker, 0);
    }

    private List<String> queueFiles() {
        return list(dataFolder().resolve("spool/queue"));
    }

    private static List<String> list(Path dir) {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                entries.forEach(p -> names.add(p.getFileName().toString()));
            } catch (IOException e) {
                names.add("cannot list " + dir + ": " + e);
            }
        }
        return names;
    }

    /** The reply to the data of one message from a probe sender, as "code text". */
    private String probe() {
        try (SmtpClient smtp = SmtpClient.connect(LOCALHOST, smtpPort(), CLIENT_TIMEOUT)) {
            smtp.reply();
            smtp.command("EHLO probe.example.org");
            smtp.command("MAIL FROM:<probe@example.org>");
            smtp.command("RCPT TO:<" + USERS.get(0) + "@localhost>");
            SmtpClient.Reply r = smtp.data("Subject: probe\r\nX-Marker: probe-" + System.nanoTime() + "\r\n\r\nx\r\n");
            smtp.command("QUIT");
            return r.code() + " " + r.text();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int countMatches(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    private static String first(List<String> items) {
        return items.size() <= 10 ? items.toString() : items.subList(0, 10) + " and " + (items.size() - 10) + " more";
    }

    private boolean hasService(Class<?> type) {
        return bundleContext.getServiceReference(type) != null;
    }

    /** Bundle commands that change state need the admin role (Karaf's command ACLs). */
    private String executeAsAdmin(String command) throws Exception {
        return executeCommand(command, Duration.ofSeconds(60), KarafConsole.admin());
    }
}
