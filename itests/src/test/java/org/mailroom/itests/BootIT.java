package org.mailroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.Test;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.osgi.framework.Bundle;

/** The distribution boots with every Mailroom bundle active and serves its six listeners, and nothing else. */
public class BootIT extends MailroomTestSupport {

    private static final List<String> MAILROOM_BUNDLES = List.of(
            "org.mailroom.api",
            "org.mailroom.transport",
            "org.mailroom.login",
            "org.mailroom.pop3",
            "org.mailroom.auth.password",
            "org.mailroom.store.maildir",
            "org.mailroom.smtp",
            "org.mailroom.addresses",
            "org.mailroom.spool",
            "org.mailroom.delivery",
            "org.mailroom.shell");

    @Test(timeout = 60_000)
    public void everyMailroomBundleIsActive() throws Exception {
        for (String bsn : MAILROOM_BUNDLES) {
            Poll.until(bsn + " ACTIVE", TIMEOUT, () -> {
                Bundle b = bundle(bsn);
                return b != null && b.getState() == Bundle.ACTIVE;
            });
        }
    }

    @Test(timeout = 60_000)
    public void pop3GreetsAndUpgradesWithStls() throws Exception {
        Poll.until("POP3 port " + pop3Port() + " accepting", TIMEOUT, () -> accepts(pop3Port()));
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            String greeting = pop3.readGreeting();
            assertTrue(greeting, greeting.startsWith("+OK"));

            Pop3Client.Response capa = pop3.multiLine("CAPA");
            assertTrue(capa.toString(), capa.ok());
            assertTrue("STLS advertised: " + capa, capa.lines().contains("STLS"));

            Pop3Client.Response stls = pop3.stls();
            assertTrue(stls.toString(), stls.ok());
            assertModernTls(pop3.tlsProtocol());
            assertTrue(pop3.multiLine("CAPA").ok());
            assertTrue(pop3.command("QUIT").ok());
        }
    }

    @Test(timeout = 60_000)
    public void pop3sHandshakesTls12Or13AndGreets() throws Exception {
        Poll.until("POP3S port " + pop3sPort() + " accepting", TIMEOUT, () -> accepts(pop3sPort()));
        try (Pop3Client pop3s = Pop3Client.connectTls(LOCALHOST, pop3sPort(), TIMEOUT)) {
            assertModernTls(pop3s.tlsProtocol());
            String greeting = pop3s.readGreeting();
            assertTrue(greeting, greeting.startsWith("+OK"));
            assertTrue(pop3s.command("QUIT").ok());
        }
    }

    @Test(timeout = 60_000)
    public void selfSignedCertificateIsWrittenToTheMailroomDataFolder() throws Exception {
        Path tls = dataFolder().resolve("tls");
        Poll.until(
                "certificate and key in " + tls,
                TIMEOUT,
                () -> Files.isRegularFile(tls.resolve("server.crt")) && Files.isRegularFile(tls.resolve("server.key")));
    }

    @Test(timeout = 60_000)
    public void noListeningPortBesidesOursAndPaxExamRmi() throws Exception {
        assumeTrue("needs Linux /proc", ListeningPorts.supported());
        List<Integer> ours = List.of(pop3Port(), pop3sPort(), smtpPort(), submissionPort(), smtpsPort(), lmtpPort());
        Poll.until("every listener bound", TIMEOUT, () -> ours.stream().allMatch(MailroomTestSupport::accepts));

        Set<Integer> ports = ListeningPorts.ofThisProcess();
        assertTrue("our ports " + ours + " in " + ports, ports.containsAll(ours));
        for (int wellKnown : new int[] {8101, 1099, 44444}) {
            assertFalse("Karaf default port " + wellKnown + " is open: " + ports, ports.contains(wellKnown));
        }
        Set<Integer> others = new TreeSet<>(ports);
        others.removeAll(ours);
        for (int port : others) {
            assertTrue(
                    "Port " + port + " is neither ours nor Pax Exam's RMI (all: " + ports + ")",
                    ListeningPorts.speaksRmi(port));
        }
    }

    @Test(timeout = 60_000)
    public void consoleListsTheMailroomFeaturesAsInstalled() throws Exception {
        String out = executeCommand("feature:list -i");
        for (String feature : List.of(
                "mailroom-api",
                "mailroom-transport-core",
                "mailroom-login-core",
                "mailroom-pop3-core",
                "mailroom-auth-password-core",
                "mailroom-store-maildir-core",
                "mailroom-addresses-core",
                "mailroom-spool-core",
                "mailroom-delivery-core",
                "mailroom-quarantine-core",
                "mailroom-smtp-core",
                "mailroom-shell")) {
            assertTrue(feature + " in:\n" + out, out.contains(feature));
            assertFeatureInstalled(feature);
        }
        Bundle api = bundle("org.mailroom.api");
        assertNotNull(api);
        assertEquals(Bundle.ACTIVE, api.getState());
    }

    private static void assertModernTls(String protocol) {
        assertTrue("TLS version " + protocol, "TLSv1.3".equals(protocol) || "TLSv1.2".equals(protocol));
    }
}
