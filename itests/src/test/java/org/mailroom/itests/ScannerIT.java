package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.testing.Poll;
import org.mailroom.testing.SmtpClient;
import org.mailroom.testing.daemons.PrivateClamd;
import org.mailroom.testing.daemons.PrivateSpamd;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

/**
 * The scanner adapters in the distribution, against Debian's daemons: a private clamd (with a
 * test signature database) and a private spamd (Debian's rules, local tests only), both started
 * by the test, the features mailroom-filter-clamav and mailroom-filter-spamd installed from the
 * distribution's repository and pointed at them, and mail sent over SMTP: the EICAR file is
 * refused in the reply to DATA, GTUBE is delivered tagged as spam, a plain message is delivered
 * with both scan headers, and once clamd is stopped mail is deferred with 451 4.7.1 (then, with
 * onFailure = accept-tag, delivered marked as not scanned).
 */
@RunWith(ToolsInstalled.class)
@ToolsInstalled.Require(
        tools = {"clamd", "spamd"},
        packages = {"clamav-daemon", "spamassassin", "spamd"})
public class ScannerIT extends MailroomTestSupport {

    private static final String CLAMAV = "org.mailroom.filter.clamav";
    private static final String SPAMD = "org.mailroom.filter.spamd";

    @Test(timeout = 240_000)
    public void virusRefusedSpamTaggedCleanDeliveredAndClamdDownDefers() throws Exception {
        Path dir =
                Files.createDirectories(dataFolder().resolveSibling(dataFolder().getFileName() + "-scanners"));
        try (PrivateClamd clamd = PrivateClamd.start(PrivateClamd.find(), dir.resolve("clamd"), 10_000_000, false);
                PrivateSpamd spamd = PrivateSpamd.start(PrivateSpamd.find(), dir.resolve("spamd"))) {
            configure(CLAMAV, Map.of("address", "tcp:127.0.0.1:" + clamd.port(), "timeoutSeconds", "5"));
            configure(SPAMD, Map.of("address", "tcp:127.0.0.1:" + spamd.port(), "timeoutSeconds", "30"));
            admin("feature:install mailroom-filter-clamav mailroom-filter-spamd");
            assertFeatureInstalled("mailroom-filter-clamav", "mailroom-filter-spamd");
            getOsgiService(ContentFilter.class, "(" + ContentFilter.NAME + "=clamav)", TIMEOUT);
            getOsgiService(ContentFilter.class, "(" + ContentFilter.NAME + "=spamassassin)", TIMEOUT);
            assertEquals("clamav runs first", 100, ranking("clamav"));
            assertEquals(50, ranking("spamassassin"));
            Poll.until("SMTP port accepting", TIMEOUT, () -> accepts(smtpPort()));

            // EICAR: refused in the reply to DATA, in no mailbox.
            String virus = "eicar-" + System.nanoTime();
            SmtpClient.Reply reply =
                    send("X-Marker: " + virus + "\r\nSubject: test file\r\n\r\n" + PrivateClamd.EICAR + "\r\n");
            assertEquals(reply.toString() + "\n" + clamd.log(), 554, reply.code());
            assertEquals("5.7.1 Virus found: " + PrivateClamd.EICAR_SIGNATURE + ".UNOFFICIAL", reply.text());

            // GTUBE, with a forged "not spam" flag: delivered, tagged as spam, the forgery gone.
            String gtube = "gtube-" + System.nanoTime();
            reply = send("X-Marker: " + gtube + "\r\nX-Spam-Flag: NO\r\nX-Spam-Score: -50\r\nSubject: offer\r\n\r\n"
                    + PrivateSpamd.GTUBE + "\r\n");
            assertEquals(reply.toString(), 250, reply.code());
            String spam = delivered(gtube);
            String spamHeader = header(spam);
            assertTrue(spamHeader, spamHeader.contains("\r\nX-Spam-Flag: YES\r\n"));
            assertTrue(
                    spamHeader,
                    spamHeader.matches("(?s).*\r\nX-Spam-Status: Yes, score=10[0-9][0-9]\\.[0-9] "
                            + "required=5\\.0 tests=.*GTUBE.*"));
            assertFalse("the sender's flag is removed:\n" + spamHeader, spamHeader.contains("X-Spam-Flag: NO"));
            assertFalse(spamHeader, spamHeader.contains("X-Spam-Score"));
            assertTrue(spamHeader, spamHeader.contains("\r\nX-Mailroom-Virus-Scan: clean (clamav)\r\n"));

            // A plain message: both scan headers, "not spam".
            String plain = "plain-" + System.nanoTime();
            reply = send("X-Marker: " + plain + "\r\nFrom: Alice <alice@example.org>\r\nSubject: lunch\r\n"
                    + "Date: Thu, 03 Dec 2026 12:00:00 +0000\r\nMessage-ID: <" + plain + "@example.org>\r\n\r\n"
                    + "Shall we meet at noon?\r\n");
            assertEquals(reply.toString(), 250, reply.code());
            String plainHeader = header(delivered(plain));
            assertTrue(plainHeader, plainHeader.contains("\r\nX-Mailroom-Virus-Scan: clean (clamav)\r\n"));
            assertTrue(plainHeader, plainHeader.contains("\r\nX-Spam-Status: No, score="));
            assertFalse(plainHeader, plainHeader.contains("X-Spam-Flag"));

            // clamd stopped: deferred (onFailure = defer, as shipped) in the reply to DATA.
            clamd.close();
            String down = "down-" + System.nanoTime();
            reply = send("X-Marker: " + down + "\r\nSubject: while clamd is down\r\n\r\nhello\r\n");
            assertEquals(reply.toString(), 451, reply.code());
            assertEquals("4.7.1 Virus scanner unavailable, try again later", reply.text());

            // onFailure = accept-tag, an edit applied live: delivered, marked as not scanned.
            configure(CLAMAV, Map.of("onFailure", "accept-tag"));
            String tagged = "tagged-" + System.nanoTime();
            Poll.until("onFailure = accept-tag in force", TIMEOUT, () -> {
                try {
                    return send("X-Marker: " + tagged + "\r\nSubject: still down\r\n\r\nhello\r\n")
                                    .code()
                            == 250;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String taggedHeader = header(delivered(tagged));
            assertTrue(
                    taggedHeader,
                    taggedHeader.contains("\r\nX-Mailroom-Virus-Scan: not scanned (scanner unreachable)\r\n"));
            assertTrue(taggedHeader, taggedHeader.contains("\r\nX-Spam-Status: No, score="));
        }
    }

    // ---- helpers

    /** Sets keys of a configuration (kept in its etc/ file by Karaf), the others as they are. */
    private void configure(String pid, Map<String, String> values) throws IOException {
        Configuration configuration = configurationAdmin.getConfiguration(pid, null);
        Dictionary<String, Object> properties = configuration.getProperties();
        Dictionary<String, Object> next = properties == null ? new Hashtable<>() : properties;
        values.forEach(next::put);
        configuration.update(next);
    }

    /** The service.ranking as local delivery reads it: an Integer, or the text a cfg file gives. */
    private int ranking(String filter) throws Exception {
        Collection<ServiceReference<ContentFilter>> refs =
                bundleContext.getServiceReferences(ContentFilter.class, "(" + ContentFilter.NAME + "=" + filter + ")");
        assertEquals(filter, 1, refs.size());
        Object ranking = refs.iterator().next().getProperty("service.ranking");
        assertTrue(filter + " has a service.ranking", ranking != null);
        return Integer.parseInt(ranking.toString().strip());
    }

    private SmtpClient.Reply send(String message) throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(LOCALHOST, smtpPort(), Duration.ofSeconds(60))) {
            assertEquals(220, smtp.reply().code());
            assertEquals(250, smtp.command("EHLO client.example").code());
            assertEquals(250, smtp.command("MAIL FROM:<someone@example.org>").code());
            assertEquals(250, smtp.command("RCPT TO:<demo@localhost>").code());
            SmtpClient.Reply reply = smtp.data(message);
            smtp.command("QUIT");
            return reply;
        }
    }

    /** The delivered message with this marker, from demo's Maildir (new/ or cur/), with CRLF line ends. */
    private String delivered(String marker) throws InterruptedException {
        String[] found = new String[1];
        Poll.until(marker + " in the Maildir of demo", TIMEOUT, () -> {
            found[0] = find(marker);
            return found[0] != null;
        });
        return found[0];
    }

    private String find(String marker) {
        for (String sub : List.of("new", "cur")) {
            Path folder = maildir(DEMO_USER).resolve(sub);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    // Maildir keeps LF line ends; the checks read it in wire form.
                    String message =
                            Files.readString(file, UTF_8).replace("\r\n", "\n").replace("\n", "\r\n");
                    if (message.contains("\r\nX-Marker: " + marker + "\r\n")) {
                        return message;
                    }
                }
            } catch (IOException e) {
                // a file renamed from new/ to cur/ meanwhile: the next poll finds it
            }
        }
        return null;
    }

    private static String header(String message) {
        int end = message.indexOf("\r\n\r\n");
        return "\r\n" + (end < 0 ? message : message.substring(0, end + 2));
    }

    private void admin(String command) throws Exception {
        String out = executeCommand(command, Duration.ofSeconds(120), KarafConsole.admin());
        assertFalse(command + ": " + out, out.toLowerCase(Locale.ROOT).contains("error"));
    }
}
