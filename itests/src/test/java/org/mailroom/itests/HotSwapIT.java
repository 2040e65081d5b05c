package org.mailroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.SessionLoad;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.service.cm.Configuration;

/**
 * The hot-swap promise on the real distribution: authentication, store and protocol bundles are
 * updated, stopped, uninstalled and reinstalled, and a listener is reconfigured through etc/,
 * while POP3 clients talk to the server over real sockets. Every test restores what it changed,
 * so the order below (kept fixed for readable logs) is not needed for correctness.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class HotSwapIT extends MailroomTestSupport {

    private static final String AUTH_BSN = "org.mailroom.auth.password";
    private static final String STORE_BSN = "org.mailroom.store.maildir";
    private static final String LOGIN_BSN = "org.mailroom.login";
    private static final String POP3_BSN = "org.mailroom.pop3";
    private static final String SYS_TEMP = "-ERR [SYS/TEMP]";

    private static final int CLIENTS = 16;

    @Override
    protected Option[] additionalOptions() {
        // 16 clients reconnecting after every session come from one address, some 150 sessions a
        // second: the shipped per-address rate (600 a minute) would refuse part of the run.
        return new Option[] {
            editConfigurationFilePut("etc/org.mailroom.listener-pop3.cfg", "maxConnectionRatePerIp", "1000000")
        };
    }

    private static final String PASSWORD = "Hot-swap secret 1";
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    /** Load before and after each update runs at least this long. */
    private static final Duration PHASE = Duration.ofSeconds(2);

    /** Users created once for the class (the probe's static state lives as long as the container). */
    private static final Map<String, Mailbox> MAILBOXES = new LinkedHashMap<>();

    /** What a user's mailbox holds: the store's listing and the exact bytes of the messages we delivered. */
    private record Mailbox(String user, List<MessageInfo> messages, Map<String, byte[]> delivered) {
        long totalSize() {
            return messages.stream().mapToLong(MessageInfo::size).sum();
        }
    }

    // ---------------------------------------------------------------------------------------
    // 1. bundle:update of the authenticator and of the store under load
    // ---------------------------------------------------------------------------------------

    @Test(timeout = 150_000)
    public void t1_updatesOfAuthLoginAndStoreUnderLoadFailNoSession() throws Exception {
        List<Mailbox> users = new ArrayList<>();
        for (int i = 1; i <= CLIENTS; i++) {
            users.add(mailbox(String.format("load%02d", i)));
        }
        Poll.until("POP3 port " + pop3Port() + " accepting", TIMEOUT, () -> accepts(pop3Port()));

        try (SessionLoad load = SessionLoad.start(
                "hotswap-client", CLIENTS, (client, round) -> completeSession(users.get(client), round))) {
            Poll.until(
                    "every client completed a session before the updates",
                    TIMEOUT,
                    () -> load.clientsWithSessions() == CLIENTS || load.failed());
            load.runAtLeast(PHASE);
            load.assertNoFailures("before the updates");

            UpdateResult auth = updateUnderLoad(load, AUTH_BSN, Authenticator.class);
            UpdateResult login = updateUnderLoad(load, LOGIN_BSN, LoginService.class);
            UpdateResult store = updateUnderLoad(load, STORE_BSN, MailStore.class);

            load.stop(CLIENT_TIMEOUT.multipliedBy(2));
            load.assertNoFailures("after the updates");
            String report = String.format(
                    "HotSwapIT load: %d sessions completed by %d clients, 0 failed; "
                            + "bundle:update %s took %d ms, its service was away %d ms (%d sessions in flight, %d started after it); "
                            + "bundle:update %s took %d ms, its service was away %d ms (%d sessions in flight, %d started after it); "
                            + "bundle:update %s took %d ms, its service was away %d ms (%d sessions in flight, %d started after it)",
                    load.completed(),
                    CLIENTS,
                    AUTH_BSN,
                    auth.millis,
                    auth.serviceGapMillis,
                    auth.inFlight,
                    auth.after,
                    LOGIN_BSN,
                    login.millis,
                    login.serviceGapMillis,
                    login.inFlight,
                    login.after,
                    STORE_BSN,
                    store.millis,
                    store.serviceGapMillis,
                    store.inFlight,
                    store.after);
            System.out.println(report);
        }
    }

    private record UpdateResult(long millis, long serviceGapMillis, long inFlight, long after) {}

    private UpdateResult updateUnderLoad(SessionLoad load, String bsn, Class<?> service) throws Exception {
        long lastModified = bundle(bsn).getLastModified();
        long[] gap = new long[2];
        ServiceListener gapWatch = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING && gap[0] == 0) {
                gap[0] = System.nanoTime();
            } else if (event.getType() == ServiceEvent.REGISTERED && gap[0] != 0 && gap[1] == 0) {
                gap[1] = System.nanoTime();
            }
        };
        bundleContext.addServiceListener(gapWatch, "(objectClass=" + service.getName() + ")");
        long start = System.nanoTime();
        String out;
        try {
            out = executeAsAdmin("bundle:update " + bsn);
        } finally {
            bundleContext.removeServiceListener(gapWatch);
        }
        long end = System.nanoTime();
        assertTrue(service.getSimpleName() + " went away and came back during the update", gap[0] != 0 && gap[1] != 0);
        assertNoCommandError(out);
        assertTrue(bsn + " was updated (last modified changes)", bundle(bsn).getLastModified() != lastModified);
        assertEquals(
                bsn + " ACTIVE after the update", Bundle.ACTIVE, bundle(bsn).getState());

        // Service came back: every client completes sessions that started after the update.
        Poll.until(
                CLIENTS + " sessions started after updating " + bsn + " completed",
                TIMEOUT,
                () -> load.completedStartedAfter(end) >= CLIENTS || load.failed());
        load.runAtLeast(PHASE);
        load.assertNoFailures("during or after bundle:update " + bsn);
        long inFlight = load.overlapping(start, end);
        assertTrue("sessions were in flight while " + bsn + " was updated", inFlight > 0);
        return new UpdateResult(
                (end - start) / 1_000_000, (gap[1] - gap[0]) / 1_000_000, inFlight, load.completedStartedAfter(end));
    }

    /** One complete session: greeting, USER/PASS, STAT, LIST, RETR of one message, UIDL, QUIT. */
    private void completeSession(Mailbox mailbox, int round) throws IOException {
        List<MessageInfo> messages = mailbox.messages();
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), CLIENT_TIMEOUT)) {
            expectOk("greeting", pop3.readGreeting());
            expectOk("USER", pop3.command("USER " + mailbox.user()).status());
            expectOk("PASS", pop3.command("PASS " + PASSWORD).status());
            assertEquals(
                    "STAT",
                    "+OK " + messages.size() + " " + mailbox.totalSize(),
                    pop3.command("STAT").status());

            Pop3Client.Response list = pop3.multiLine("LIST");
            expectOk("LIST", list.status());
            List<String> expectedList = new ArrayList<>();
            List<String> expectedUidl = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                expectedList.add((i + 1) + " " + messages.get(i).size());
                expectedUidl.add((i + 1) + " " + messages.get(i).uid());
            }
            assertEquals("LIST", expectedList, list.lines());

            int n = round % messages.size();
            MessageInfo message = messages.get(n);
            Pop3Client.Response retr = pop3.multiLine("RETR " + (n + 1));
            assertEquals("RETR " + (n + 1), "+OK " + message.size() + " octets", retr.status());
            byte[] body = wireBytes(retr.lines());
            assertEquals("octets of RETR " + (n + 1), message.size(), body.length);
            byte[] delivered = mailbox.delivered().get(message.uid());
            if (delivered != null) {
                assertEquals(
                        "content of RETR " + (n + 1),
                        new String(delivered, StandardCharsets.UTF_8),
                        new String(body, StandardCharsets.UTF_8));
            }

            Pop3Client.Response uidl = pop3.multiLine("UIDL");
            expectOk("UIDL", uidl.status());
            assertEquals("UIDL", expectedUidl, uidl.lines());
            expectOk("QUIT", pop3.command("QUIT").status());
        }
    }

    // ---------------------------------------------------------------------------------------
    // 2. authenticator stopped and started
    // ---------------------------------------------------------------------------------------

    @Test(timeout = 90_000)
    public void t2_authStoppedRefusesLoginsTemporarilyAndOpenSessionsGoOn() throws Exception {
        stoppedBundleRefusesLoginsTemporarily(AUTH_BSN, Authenticator.class, "auth");
    }

    @Test(timeout = 90_000)
    public void t2b_loginStoppedRefusesLoginsTemporarilyAndOpenSessionsGoOn() throws Exception {
        stoppedBundleRefusesLoginsTemporarily(LOGIN_BSN, LoginService.class, "login");
    }

    private void stoppedBundleRefusesLoginsTemporarily(String bsn, Class<?> service, String name) throws Exception {
        Mailbox open = mailbox(name + "-open");
        Mailbox fresh = mailbox(name + "-new");
        Duration wait = serviceWait();
        try (Pop3Client before = login(open)) {
            executeAndCheck("bundle:stop " + bsn);
            try {
                assertEquals(Bundle.RESOLVED, bundle(bsn).getState());
                Poll.until("no " + service.getSimpleName() + " registered", TIMEOUT, () -> !hasService(service));

                try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
                    expectOk("greeting with " + bsn + " stopped", pop3.readGreeting());
                    expectOk("USER", pop3.command("USER " + fresh.user()).status());
                    long t0 = System.nanoTime();
                    String pass = pop3.command("PASS " + PASSWORD).status();
                    long waited = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue("PASS without " + service.getSimpleName() + ": " + pass, pass.startsWith(SYS_TEMP));
                    assertTrue(
                            "PASS answered after the service wait (" + wait.toMillis() + " ms), not at once: " + waited
                                    + " ms",
                            waited >= wait.toMillis() - 200);
                    // The session is still alive and the port still serves.
                    expectOk("QUIT after the refusal", pop3.command("QUIT").status());
                }
                try (Pop3Client second = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
                    expectOk("another greeting", second.readGreeting());
                }

                // The session that logged in before the stop still reads its mail.
                assertRetrieves(before, open, 1);
                expectOk(
                        "QUIT of the session opened before the stop",
                        before.command("QUIT").status());
            } finally {
                executeAndCheck("bundle:start " + bsn);
            }
        }
        Poll.until("logins work again after bundle:start", TIMEOUT, () -> sessionWorks(fresh));
        completeSession(fresh, 0);
    }

    // ---------------------------------------------------------------------------------------
    // 3. store stopped and started
    // ---------------------------------------------------------------------------------------

    @Test(timeout = 90_000)
    public void t3_storeStoppedAnswersTemporaryErrorsAndComesBack() throws Exception {
        Mailbox open = mailbox("store-open");
        Mailbox fresh = mailbox("store-new");
        Duration wait = serviceWait();
        try (Pop3Client before = login(open)) {
            executeAndCheck("bundle:stop " + STORE_BSN);
            try {
                assertEquals(Bundle.RESOLVED, bundle(STORE_BSN).getState());
                Poll.until("no MailStore registered", TIMEOUT, () -> !hasService(MailStore.class));

                long t0 = System.nanoTime();
                String retr = before.command("RETR 1").status();
                long waited = (System.nanoTime() - t0) / 1_000_000;
                assertTrue("RETR without store: " + retr, retr.startsWith(SYS_TEMP));
                assertTrue(
                        "RETR answered after the service wait (" + wait.toMillis() + " ms): " + waited + " ms",
                        waited >= wait.toMillis() - 200);
                assertEquals(
                        "STAT needs no store",
                        "+OK " + open.messages().size() + " " + open.totalSize(),
                        before.command("STAT").status());
                expectOk(
                        "QUIT without store (nothing to delete)",
                        before.command("QUIT").status());

                try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
                    expectOk("greeting with the store stopped", pop3.readGreeting());
                    expectOk("USER", pop3.command("USER " + fresh.user()).status());
                    String pass = pop3.command("PASS " + PASSWORD).status();
                    assertTrue("login without store: " + pass, pass.startsWith(SYS_TEMP));
                    assertEquals(
                            "still in AUTHORIZATION",
                            "-ERR Not logged in",
                            pop3.command("STAT").status());
                    expectOk("QUIT", pop3.command("QUIT").status());
                }
            } finally {
                executeAndCheck("bundle:start " + STORE_BSN);
            }
        }
        Poll.until("logins and RETR work again after bundle:start", TIMEOUT, () -> sessionWorks(fresh));
        completeSession(fresh, 1);
        completeSession(open, 2);
    }

    // ---------------------------------------------------------------------------------------
    // 4. idle timeout changed in etc/ without a restart
    // ---------------------------------------------------------------------------------------

    @Test(timeout = 90_000)
    public void t4_idleTimeoutEditedInEtcAppliesToOpenAndNewConnections() throws Exception {
        Mailbox user = mailbox("idle");
        Path cfg = Paths.get(System.getProperty("karaf.etc"), "org.mailroom.listener-pop3.cfg");
        String original = Files.readString(cfg, StandardCharsets.UTF_8);
        assertEquals("600", listenerProperty("idleTimeoutSeconds"));

        try (PortWatcher watcher = new PortWatcher(pop3Port());
                Pop3Client old = login(user)) {
            watcher.start();
            writeAtomically(cfg, withKey(original, "idleTimeoutSeconds", "2"));
            try {
                Poll.until(
                        "ConfigAdmin has idleTimeoutSeconds=2 from " + cfg,
                        TIMEOUT,
                        () -> "2".equals(listenerProperty("idleTimeoutSeconds")));

                // The connection opened before the change still works ...
                expectOk(
                        "NOOP on the connection opened before the change",
                        old.command("NOOP").status());
                assertRetrieves(old, user, 1);
                long quiet = System.nanoTime();
                // ... until it idles out after ~2 s.
                assertIdleClosed(old, quiet, "connection opened before the change");

                try (Pop3Client fresh = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
                    expectOk("greeting", fresh.readGreeting());
                    long greeted = System.nanoTime();
                    assertIdleClosed(fresh, greeted, "connection opened after the change");
                }
                watcher.assertAlwaysAccepted("while the idle timeout changed");
            } finally {
                writeAtomically(cfg, original);
                Poll.until(
                        "ConfigAdmin back to idleTimeoutSeconds=600",
                        TIMEOUT,
                        () -> "600".equals(listenerProperty("idleTimeoutSeconds")));
            }
        }
        // The restored timeout is in force again: a connection silent for longer than 2 s stays open.
        Poll.until("new connections survive 3 s of silence again", TIMEOUT, () -> survivesSilence(3_000));
    }

    private static void assertIdleClosed(Pop3Client pop3, long lastTraffic, String which) throws IOException {
        String line = pop3.readLine();
        long idle = (System.nanoTime() - lastTraffic) / 1_000_000;
        assertEquals(which + " after " + idle + " ms", "-ERR Disconnected for inactivity", line);
        assertTrue(which + " closed after " + idle + " ms idle, expected about 2 s", idle >= 1_900 && idle < 8_000);
        assertEndOfStream(pop3, which);
    }

    private boolean survivesSilence(long millis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOCALHOST, pop3Port()), 2000);
            s.setSoTimeout((int) millis);
            byte[] greeting = new byte[512];
            int n = s.getInputStream().read(greeting);
            if (n <= 0 || !new String(greeting, 0, n, StandardCharsets.UTF_8).startsWith("+OK")) {
                return false;
            }
            try {
                s.getInputStream().read();
                return false;
            } catch (SocketTimeoutException silentAndOpen) {
                return true;
            }
        } catch (IOException e) {
            return false;
        }
    }

    private String listenerProperty(String key) {
        try {
            Configuration[] configs =
                    configurationAdmin.listConfigurations("(&(service.factoryPid=org.mailroom.listener)(name=pop3))");
            if (configs == null || configs.length != 1) {
                return null;
            }
            Dictionary<String, Object> properties = configs[0].getProperties();
            Object value = properties == null ? null : properties.get(key);
            return value == null ? null : value.toString();
        } catch (Exception e) {
            throw new AssertionError("Listing the listener configurations failed", e);
        }
    }

    private static String withKey(String cfg, String key, String value) {
        Pattern line = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + "\\s*[=:].*$");
        if (line.matcher(cfg).find()) {
            return line.matcher(cfg).replaceFirst(key + " = " + value);
        }
        return cfg + (cfg.endsWith("\n") ? "" : "\n") + key + " = " + value + "\n";
    }

    /** Replaces the file in one rename, so fileinstall never reads it half-written. */
    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".hotswap");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---------------------------------------------------------------------------------------
    // 5. features uninstalled and installed again
    // ---------------------------------------------------------------------------------------

    @Test(timeout = 120_000)
    public void t5_pop3FeatureUninstalledKeepsThePortAndRefusesPolitely() throws Exception {
        Mailbox user = mailbox("feature");
        try (PortWatcher watcher = new PortWatcher(pop3Port())) {
            watcher.start();
            executeAndCheck("feature:uninstall mailroom-pop3-core");
            try {
                Poll.until(POP3_BSN + " uninstalled", TIMEOUT, () -> bundle(POP3_BSN) == null);
                for (int i = 0; i < 3; i++) {
                    assertRefusedTemporarily("with mailroom-pop3-core uninstalled");
                }
            } finally {
                executeAndCheck("feature:install mailroom-pop3-core");
            }
            Poll.until(
                    POP3_BSN + " ACTIVE again",
                    TIMEOUT,
                    () -> bundle(POP3_BSN) != null && bundle(POP3_BSN).getState() == Bundle.ACTIVE);
            Poll.until("sessions work after feature:install mailroom-pop3-core", TIMEOUT, () -> sessionWorks(user));
            watcher.assertAlwaysAccepted("while mailroom-pop3-core was uninstalled and installed");
        }
        completeSession(user, 0);
    }

    @Test(timeout = 120_000)
    public void t5b_storeFeatureUninstalledAnswersTemporaryErrors() throws Exception {
        Mailbox user = mailbox("feature-store");
        executeAndCheck("feature:uninstall mailroom-store-maildir-core");
        try {
            Poll.until(STORE_BSN + " uninstalled", TIMEOUT, () -> bundle(STORE_BSN) == null);
            try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
                expectOk("greeting without a store", pop3.readGreeting());
                expectOk("USER", pop3.command("USER " + user.user()).status());
                String pass = pop3.command("PASS " + PASSWORD).status();
                assertTrue("login without a store: " + pass, pass.startsWith(SYS_TEMP));
                expectOk("QUIT", pop3.command("QUIT").status());
            }
        } finally {
            executeAndCheck("feature:install mailroom-store-maildir-core");
        }
        Poll.until(
                "sessions work after feature:install mailroom-store-maildir-core", TIMEOUT, () -> sessionWorks(user));
        completeSession(user, 1);
    }

    @Test(timeout = 120_000)
    public void t5c_authFeatureUninstalledAnswersTemporaryErrors() throws Exception {
        Mailbox user = mailbox("feature-auth");
        executeAndCheck("feature:uninstall mailroom-auth-password-core");
        try {
            Poll.until(AUTH_BSN + " uninstalled", TIMEOUT, () -> bundle(AUTH_BSN) == null);
            try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
                expectOk("greeting without an authenticator", pop3.readGreeting());
                expectOk("USER", pop3.command("USER " + user.user()).status());
                String pass = pop3.command("PASS " + PASSWORD).status();
                assertTrue("login without an authenticator: " + pass, pass.startsWith(SYS_TEMP));
                expectOk("QUIT", pop3.command("QUIT").status());
            }
        } finally {
            executeAndCheck("feature:install mailroom-auth-password-core");
        }
        Poll.until(
                "sessions work after feature:install mailroom-auth-password-core", TIMEOUT, () -> sessionWorks(user));
        completeSession(user, 1);
    }

    // ---------------------------------------------------------------------------------------
    // 6. bundle:update of the POP3 protocol itself
    // ---------------------------------------------------------------------------------------

    @Test(timeout = 90_000)
    public void t6_pop3UpdateClosesOpenSessionsPolitelyAndServesAgain() throws Exception {
        Mailbox user = mailbox("pop3-update");
        try (PortWatcher watcher = new PortWatcher(pop3Port());
                Pop3Client loggedIn = login(user);
                Pop3Client greeted = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            expectOk("greeting", greeted.readGreeting());
            watcher.start();
            Poll.until("the port watcher got a greeting", TIMEOUT, () -> watcher.greeted.get() > 0);

            long lastModified = bundle(POP3_BSN).getLastModified();
            executeAndCheck("bundle:update " + POP3_BSN);
            assertTrue(POP3_BSN + " was updated", bundle(POP3_BSN).getLastModified() != lastModified);

            assertClosedPolitely(loggedIn, "logged-in session");
            assertClosedPolitely(greeted, "session in AUTHORIZATION");

            Poll.until("sessions work after bundle:update " + POP3_BSN, TIMEOUT, () -> sessionWorks(user));
            int greetingsBefore = watcher.greeted.get();
            Poll.until(
                    "the port watcher is greeted by the updated bundle",
                    TIMEOUT,
                    () -> watcher.greeted.get() > greetingsBefore);
            watcher.assertAlwaysAccepted("while " + POP3_BSN + " was updated");
        }
        completeSession(user, 2);
    }

    /** Existing sessions end with a temporary error line or a plain close: never a hang, never garbage. */
    private static void assertClosedPolitely(Pop3Client pop3, String which) throws IOException {
        String line;
        try {
            line = pop3.readLine();
        } catch (EOFException closedWithoutReply) {
            return;
        } catch (SocketTimeoutException e) {
            throw new AssertionError(which + " neither closed nor told after the update", e);
        }
        assertTrue(which + " got: " + line, line.startsWith(SYS_TEMP));
        assertEndOfStream(pop3, which);
    }

    // ---------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------

    /** Connects to a port every 50 ms: every connection must be accepted and answered by a greeting or a temporary error. */
    private static final class PortWatcher implements AutoCloseable {
        private final int port;
        private final Thread thread;
        private final AtomicInteger greeted = new AtomicInteger();
        private final AtomicInteger refused = new AtomicInteger();
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;

        PortWatcher(int port) {
            this.port = port;
            this.thread = new Thread(this::loop, "hotswap-port-watcher");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            while (running) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(LOCALHOST, port), 5000);
                    s.setSoTimeout(10_000);
                    StringBuilder line = new StringBuilder();
                    for (int b = s.getInputStream().read();
                            b >= 0 && b != '\n';
                            b = s.getInputStream().read()) {
                        line.append((char) b);
                    }
                    String reply = line.toString().trim();
                    if (reply.startsWith("+OK")) {
                        greeted.incrementAndGet();
                        s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else if (reply.startsWith(SYS_TEMP)) {
                        refused.incrementAndGet();
                    } else {
                        failures.add("unexpected first line '" + reply + "'");
                    }
                } catch (IOException e) {
                    failures.add(e.toString());
                }
                try {
                    Poll.waitFor(Duration.ofMillis(50), () -> !running);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void assertAlwaysAccepted(String when) {
            assertTrue("port " + port + " " + when + ": " + failures, failures.isEmpty());
            assertTrue("port watcher made connections", greeted.get() + refused.get() > 0);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(20_000);
        }
    }

    /** Creates the user (once per class) with two messages of ours besides the welcome messages. */
    private Mailbox mailbox(String user) throws Exception {
        synchronized (MAILBOXES) {
            Mailbox existing = MAILBOXES.get(user);
            if (existing != null) {
                return existing;
            }
            UserDirectory directory = getOsgiService(UserDirectory.class);
            if (!directory.exists(user)) {
                directory.add(user, PASSWORD);
            }
            MailStore store = getOsgiService(MailStore.class);
            Map<String, byte[]> delivered = new LinkedHashMap<>();
            for (byte[] message : List.of(
                    message(user, "Plain text", "Hello " + user + ",\r\nthis is a test message.\r\n"),
                    message(
                            user,
                            "Dots and UTF-8",
                            ".a line starting with a dot\r\n..two dots\r\n.\r\n"
                                    + "Gr\u00fc\u00dfe, \u65e5\u672c\u8a9e\r\n" + "x".repeat(3000) + "\r\n"))) {
                delivered.put(store.deliver(user, new ByteArrayInputStream(message)), message);
            }
            List<MessageInfo> messages = List.copyOf(store.list(user));
            for (MessageInfo m : messages) {
                byte[] ours = delivered.get(m.uid());
                if (ours != null) {
                    assertEquals("listed size of " + m.uid(), ours.length, m.size());
                }
            }
            assertEquals(
                    "both deliveries listed for " + user,
                    2,
                    messages.stream()
                            .filter(m -> delivered.containsKey(m.uid()))
                            .count());
            Mailbox mailbox = new Mailbox(user, messages, delivered);
            MAILBOXES.put(user, mailbox);
            return mailbox;
        }
    }

    private static byte[] message(String user, String subject, String body) {
        return ("From: hotswap@example.org\r\nTo: " + user + "@example.org\r\nSubject: " + subject + "\r\nMessage-ID: <"
                        + user + "." + subject.hashCode() + "@example.org>\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    private boolean hasService(Class<?> type) {
        return bundleContext.getServiceReference(type) != null;
    }

    private Duration serviceWait() throws Exception {
        Configuration[] configs = configurationAdmin.listConfigurations("(service.pid=org.mailroom.pop3)");
        assertNotNull("etc/org.mailroom.pop3.cfg is in ConfigAdmin", configs);
        Object value = configs[0].getProperties().get("serviceWaitMillis");
        assertNotNull("serviceWaitMillis set", value);
        return Duration.ofMillis(Long.parseLong(value.toString().trim()));
    }

    private Pop3Client login(Mailbox mailbox) throws IOException {
        Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT);
        try {
            expectOk("greeting", pop3.readGreeting());
            expectOk("USER", pop3.command("USER " + mailbox.user()).status());
            expectOk("PASS", pop3.command("PASS " + PASSWORD).status());
            return pop3;
        } catch (IOException | RuntimeException | AssertionError e) {
            pop3.close();
            throw e;
        }
    }

    private boolean sessionWorks(Mailbox mailbox) {
        try {
            completeSession(mailbox, 0);
            return true;
        } catch (IOException | AssertionError e) {
            return false;
        }
    }

    private static void assertRetrieves(Pop3Client pop3, Mailbox mailbox, int number) throws IOException {
        MessageInfo message = mailbox.messages().get(number - 1);
        Pop3Client.Response retr = pop3.multiLine("RETR " + number);
        assertEquals("RETR " + number, "+OK " + message.size() + " octets", retr.status());
        assertEquals("octets of RETR " + number, message.size(), wireBytes(retr.lines()).length);
    }

    private void assertRefusedTemporarily(String when) throws IOException {
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            String line = pop3.readLine();
            assertTrue("first line " + when + ": " + line, line.startsWith(SYS_TEMP));
            assertEndOfStream(pop3, "connection " + when);
        }
    }

    private static void assertEndOfStream(Pop3Client pop3, String which) throws IOException {
        try {
            String extra = pop3.readLine();
            fail(which + " should be closed, but sent: " + extra);
        } catch (EOFException expected) {
            // closed by the server
        } catch (SocketTimeoutException e) {
            throw new AssertionError(which + " was not closed by the server", e);
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("reset")) {
                throw e;
            }
        }
    }

    /** The message as sent on the wire before dot-stuffing: the unstuffed lines, each with CRLF. */
    private static byte[] wireBytes(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(line).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void expectOk(String what, String status) {
        assertTrue(what + ": " + status, status.startsWith("+OK"));
    }

    private void executeAndCheck(String command) throws Exception {
        assertNoCommandError(executeAsAdmin(command));
    }

    /** Bundle and feature commands that change state need the admin role (Karaf's command ACLs). */
    private String executeAsAdmin(String command) throws Exception {
        return executeCommand(command, Duration.ofSeconds(60), KarafConsole.admin());
    }

    private static void assertNoCommandError(String output) {
        assertFalse(
                "console output: " + output,
                output.toLowerCase(java.util.Locale.ROOT).contains("error"));
    }
}
