package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.mailroom.itests.ClientProcesses.tool;
import static org.mailroom.itests.ClientProcesses.writePrivate;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.itests.ClientProcesses.Run;
import org.mailroom.testing.FreePorts;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.SessionLoad;
import org.mailroom.testing.SmtpClient;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.Option;
import org.osgi.service.cm.Configuration;

/**
 * OAuth2 through the distribution, against a real OAuth2 server (mock-oauth2-server from Maven
 * Central, a process of its own): the feature installed from the distribution's repository
 * offers OAUTHBEARER and XOAUTH2 in CAPA and EHLO; the server's tokens log in over POP3 and
 * submission, in initial-response and continuation form; a refused token gets the RFC 7628
 * error challenge; curl, mpop and msmtp log in with tokens; the bundle updated and the feature
 * uninstalled and installed again while clients log in with passwords and tokens; the provider
 * down. One Karaf boot for all of it.
 */
@RunWith(ToolsInstalled.class)
@ToolsInstalled.Require(
        tools = {"curl", "mpop", "msmtp"},
        packages = {"curl", "mpop", "msmtp"})
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class OAuth2IT extends MailroomTestSupport {

    private static final String BSN = "org.mailroom.auth.oauth2";
    private static final String ISSUER_PID = "org.mailroom.auth.oauth2.issuer";
    private static final String PORT = "mailroom.itest.oauth2.port";
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private static MockOAuth2Server provider;
    private static Configuration issuer;

    @Override
    protected Option[] additionalOptions() {
        return new Option[] {
            systemProperty(MockOAuth2Server.CLASSPATH).value(System.getProperty(MockOAuth2Server.CLASSPATH)),
            systemProperty(PORT).value(Integer.toString(FreePorts.one())),
            // The load below opens connections from one address faster than the default limit allows.
            editConfigurationFilePut("etc/org.mailroom.listener-pop3.cfg", "maxConnectionRatePerIp", "1000000"),
            // Failed logins (INFO) in karaf.log, with their reasons, for the messages of failed assertions.
            editConfigurationFilePut(
                    "etc/org.ops4j.pax.logging.cfg", "log4j2.logger.logins.name", "org.mailroom.login"),
            editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.logins.level", "INFO")
        };
    }

    /** The provider running, the feature installed and its issuer configured. */
    private void ready() throws Exception {
        if (provider == null) {
            provider = new MockOAuth2Server(dataFolder().resolveSibling("oauth2-provider"), Integer.getInteger(PORT));
        }
        if (!provider.running()) {
            provider.start();
        }
        if (issuer == null) {
            issuer = configurationAdmin.createFactoryConfiguration(ISSUER_PID, "?");
            issuer.update(issuerSettings(30));
        }
        if (bundle(BSN) == null) {
            admin("feature:install mailroom-auth-oauth2-core");
        }
        Poll.until("POP3 offering OAUTHBEARER and XOAUTH2", TIMEOUT, () -> capa().contains("XOAUTH2"));
    }

    private Dictionary<String, Object> issuerSettings(int timeoutSeconds) {
        Dictionary<String, Object> settings = new Hashtable<>();
        settings.put("issuer", provider.issuer());
        settings.put("audience", MockOAuth2Server.AUDIENCE);
        settings.put("userClaim", "email");
        settings.put("userMapping", "strip-domain");
        settings.put("domains", TEST_DOMAIN);
        settings.put("requiredScope", "mail");
        settings.put("keyRefetchSeconds", "1");
        settings.put("timeoutSeconds", Integer.toString(timeoutSeconds));
        return settings;
    }

    // ---- tests ----

    @Test(timeout = 240_000)
    public void t1_theFeatureOffersTheMechanismsAndTokensLogIn() throws Exception {
        Poll.until("POP3 listening", TIMEOUT, () -> accepts(pop3Port()));
        assertFalse("no OAuth2 before the feature: " + capa(), capa().contains("OAUTHBEARER"));
        ready();
        assertTrue(capa(), capa().contains("SASL") && capa().contains("OAUTHBEARER"));

        String token = provider.token("mail");
        assertTrue("a token longer than a POP3 command line: " + token.length(), token.length() > 255);
        try (Pop3Client pop3 = pop3()) {
            // curl's form: the mechanism alone, the token on the continuation line.
            assertEquals("+ ", pop3.command("AUTH OAUTHBEARER").status());
            String reply =
                    pop3.command(oauthBearer("demo@" + TEST_DOMAIN, token)).status();
            assertTrue(reply, reply.startsWith("+OK Logged in"));
        }
        try (Pop3Client pop3 = pop3()) {
            // mpop's form: the initial response on the AUTH line.
            String reply =
                    pop3.command("AUTH XOAUTH2 " + xoauth2("demo", token)).status();
            assertTrue(reply, reply.startsWith("+OK Logged in"));
        }

        String stranger = provider.token("stranger");
        try (Pop3Client pop3 = pop3()) {
            String challenge = pop3.command("AUTH OAUTHBEARER " + oauthBearer("", stranger))
                    .status();
            assertTrue(challenge, challenge.startsWith("+ "));
            String json = new String(Base64.getDecoder().decode(challenge.substring(2)), UTF_8);
            assertTrue(json, json.contains("\"status\":\"invalid_token\"") && json.contains("\"schemes\":\"bearer\""));
            String refused = pop3.command("AQ==").status();
            assertTrue(refused, refused.startsWith("-ERR [AUTH]"));
            String other = pop3.command("AUTH OAUTHBEARER " + oauthBearer("someone-else", token))
                    .status();
            assertTrue("the SASL user must be the token's: " + other, other.startsWith("+ "));
            assertTrue(pop3.command("AQ==").status().startsWith("-ERR [AUTH]"));
        }

        try (SmtpClient smtp = submission()) {
            assertEquals(
                    235,
                    smtp.command("AUTH OAUTHBEARER " + oauthBearer("demo", token))
                            .code());
        }
        try (SmtpClient smtp = submission()) {
            SmtpClient.Reply challenge = smtp.command("AUTH XOAUTH2");
            assertEquals(challenge.toString(), 334, challenge.code());
            SmtpClient.Reply error = smtp.command(xoauth2("demo", stranger));
            assertEquals(error.toString(), 334, error.code());
            String json = new String(Base64.getDecoder().decode(error.text().strip()), UTF_8);
            assertTrue(json, json.contains("\"status\":\"401\""));
            SmtpClient.Reply refused = smtp.command("");
            assertEquals(refused.toString(), 535, refused.code());
            assertTrue(refused.toString(), refused.text().startsWith("5.7.8"));
        }
    }

    @Test(timeout = 300_000)
    public void t2_curlMpopAndMsmtpLogInWithTokens() throws Exception {
        ready();
        Path cert = dataFolder().resolve("tls").resolve("server.crt");
        Path dir = Files.createTempDirectory(dataFolder().getParent(), "oauth2-clients-");
        Path tokenFile = writePrivate(dir.resolve("token"), provider.token("mail"));
        String token = Files.readString(tokenFile);

        Run curl = ClientProcesses.run(
                dir,
                List.of(
                        tool("curl").path(),
                        "-q",
                        "-sS",
                        "-v",
                        "--max-time",
                        "60",
                        "--cacert",
                        cert.toString(),
                        "--ssl-reqd",
                        "--user",
                        "demo@" + TEST_DOMAIN + ":",
                        "--oauth2-bearer",
                        token,
                        "pop3://localhost:" + pop3Port() + "/"),
                CLIENT_TIMEOUT);
        assertEquals("curl over STLS: " + curl.stderr(), 0, curl.exit());
        assertTrue(curl.stderr(), curl.stderr().contains("> AUTH OAUTHBEARER"));
        assertTrue("curl listed the mailbox", new String(curl.stdout(), UTF_8).matches("(?s)1 \\d+\r?\n.*"));

        for (String mechanism : List.of("oauthbearer", "xoauth2")) {
            Path rc = writePrivate(
                    dir.resolve("mpoprc-" + mechanism),
                    String.join(
                            "\n",
                            "account test",
                            "host localhost",
                            "port " + pop3sPort(),
                            "tls on",
                            "tls_starttls off",
                            "tls_trust_file " + cert,
                            "auth " + mechanism,
                            "user demo@" + TEST_DOMAIN,
                            "passwordeval \"cat " + tokenFile + "\"",
                            "only_new off",
                            "keep on",
                            "delivery mbox " + dir.resolve("mbox-" + mechanism),
                            "uidls_file " + dir.resolve("uidls-" + mechanism),
                            ""));
            Run mpop = ClientProcesses.run(
                    dir, List.of(tool("mpop").path(), "-C", rc.toString(), "-q", "test"), CLIENT_TIMEOUT);
            assertEquals("mpop auth " + mechanism + ": " + mpop.stderr(), 0, mpop.exit());
            assertTrue(
                    "mpop " + mechanism + " retrieved the welcome messages",
                    Files.readString(dir.resolve("mbox-" + mechanism)).contains("From "));
        }

        String marker = "msmtp-oauth2-" + System.nanoTime();
        Path msmtprc = writePrivate(
                dir.resolve("msmtprc"),
                String.join(
                        "\n",
                        "account test",
                        "host localhost",
                        "port " + submissionPort(),
                        "tls on",
                        "tls_starttls on",
                        "tls_trust_file " + cert,
                        "auth oauthbearer",
                        "user demo@" + TEST_DOMAIN,
                        "from demo@" + TEST_DOMAIN,
                        "passwordeval \"cat " + tokenFile + "\"",
                        ""));
        Path message = dir.resolve("message");
        Files.writeString(
                message,
                "From: demo@" + TEST_DOMAIN + "\nTo: demo@" + TEST_DOMAIN + "\nSubject: " + marker
                        + "\n\nsent with a token\n");
        Run msmtp = ClientProcesses.run(
                dir,
                List.of(
                        "/bin/sh",
                        "-c",
                        tool("msmtp").path() + " -C " + msmtprc + " -a test demo@" + TEST_DOMAIN + " < " + message),
                CLIENT_TIMEOUT);
        assertEquals("msmtp auth oauthbearer: " + msmtp.stderr(), 0, msmtp.exit());
        Poll.until("the message msmtp submitted delivered", TIMEOUT, () -> delivered(marker));
    }

    @Test(timeout = 300_000)
    public void t3_updateAndReinstallWhileClientsLogInWithPasswordsAndTokens() throws Exception {
        ready();
        String password = "Swap-" + System.nanoTime();
        // One user per client: two sessions of one user would find the mailbox locked.
        String user = "swapper" + System.nanoTime() % 100000 + "-";
        for (int client = 0; client < 2; client++) {
            getOsgiService(UserDirectory.class).add(user + client, password);
        }
        String token = provider.token("mail");
        ConcurrentLinkedQueue<String> temporary = new ConcurrentLinkedQueue<>();
        boolean[] absent = {false};

        try (SessionLoad passwords = SessionLoad.start("password", 2, (client, round) -> {
                    try (Pop3Client pop3 = pop3()) {
                        assertTrue(pop3.command("USER " + user + client).ok());
                        Pop3Client.Response reply = pop3.command("PASS " + password);
                        assertTrue(reply.toString(), reply.ok());
                        pop3.command("QUIT");
                    }
                });
                SessionLoad tokens = SessionLoad.start("token", 1, (client, round) -> {
                    try (Pop3Client pop3 = pop3()) {
                        String reply = pop3.command("AUTH OAUTHBEARER " + oauthBearer("", token))
                                .status();
                        if (reply.startsWith("-ERR [SYS/TEMP]") && absent[0]) {
                            temporary.add(reply);
                        } else {
                            assertTrue(reply, reply.startsWith("+OK Logged in"));
                        }
                        pop3.command("QUIT");
                    }
                })) {
            passwords.awaitSessionsByEveryClient(3, TIMEOUT);
            tokens.awaitSessionsByEveryClient(3, TIMEOUT);

            admin("bundle:update " + BSN);
            long after = tokens.completed();
            Poll.until("token logins after bundle:update", TIMEOUT, () -> tokens.completed() > after + 4);
            if (tokens.failed()) {
                tokens.assertNoFailures(
                        "during and after bundle:update " + BSN + "; failed logins:\n" + failedLogins());
            }

            absent[0] = true;
            admin("feature:uninstall mailroom-auth-oauth2-core");
            Poll.until("OAUTHBEARER gone from CAPA", TIMEOUT, () -> !capa().contains("OAUTHBEARER"));
            Poll.until("token logins refused as temporary", Duration.ofSeconds(60), () -> temporary.size() >= 2);
            admin("feature:install mailroom-auth-oauth2-core");
            Poll.until("OAUTHBEARER back in CAPA", TIMEOUT, () -> capa().contains("OAUTHBEARER"));
            long back = tokens.completed();
            Poll.until(
                    "token logins after feature:install", Duration.ofSeconds(60), () -> tokens.completed() > back + 4);
            absent[0] = false;
            long settled = tokens.completed();
            Poll.until("token logins once settled", TIMEOUT, () -> tokens.completed() > settled + 4);

            passwords.stop(TIMEOUT);
            tokens.stop(TIMEOUT);
            passwords.assertNoFailures("password logins while the OAuth2 bundle was updated and reinstalled");
            tokens.assertNoFailures("token logins: only temporary failures, only while the feature was away");
        }
        for (String reply : temporary) {
            assertTrue(reply, reply.startsWith("-ERR [SYS/TEMP]"));
        }
    }

    @Test(timeout = 240_000)
    public void t4_aProviderThatIsDownIsATemporaryFailureAndPasswordsStillWork() throws Exception {
        ready();
        String token = provider.token("mail");
        provider.stop();
        // A new issuer configuration starts without the keys the old one had fetched.
        issuer.update(issuerSettings(2));
        // Until the edit applies (ConfigAdmin is asynchronous) the old settings' cached keys still verify.
        Poll.until(
                "token login refused as temporary",
                TIMEOUT,
                () -> tokenLogin(token).startsWith("-ERR [SYS/TEMP]"));
        for (int i = 0; i < 3; i++) {
            String reply = tokenLogin(token);
            assertTrue("never a success while the provider is down: " + reply, reply.startsWith("-ERR [SYS/TEMP]"));
        }
        try (Pop3Client pop3 = pop3()) {
            assertTrue(pop3.command("USER " + DEMO_USER).ok());
            assertTrue(pop3.command("PASS " + DEMO_PASSWORD).ok());
        }
        try (SmtpClient smtp = submission()) {
            SmtpClient.Reply reply = smtp.command("AUTH OAUTHBEARER " + oauthBearer("", token));
            assertEquals(reply.toString(), 454, reply.code());
            assertTrue(reply.toString(), reply.text().startsWith("4.7.0"));
        }
        provider.start();
        Poll.until(
                "token logins again once the provider is back",
                TIMEOUT,
                () -> tokenLogin(token).startsWith("+OK"));
    }

    // ---- helpers ----

    private String tokenLogin(String token) {
        try (Pop3Client pop3 = pop3()) {
            return pop3.command("AUTH OAUTHBEARER " + oauthBearer("", token)).status();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String oauthBearer(String user, String token) {
        String message = "n," + (user.isEmpty() ? "" : "a=" + user)
                + ",\u0001host=localhost\u0001port=110\u0001auth=Bearer " + token + "\u0001\u0001";
        return Base64.getEncoder().encodeToString(message.getBytes(UTF_8));
    }

    private static String xoauth2(String user, String token) {
        return Base64.getEncoder()
                .encodeToString(("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001").getBytes(UTF_8));
    }

    /** A POP3 session on the plain port from loopback (where plaintext logins are allowed). */
    private Pop3Client pop3() throws IOException {
        Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT);
        pop3.readGreeting();
        return pop3;
    }

    private String capa() {
        try (Pop3Client pop3 = pop3()) {
            return String.join("\n", pop3.multiLine("CAPA").lines());
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A submission session after STARTTLS and EHLO, which must offer both mechanisms. */
    private SmtpClient submission() throws IOException {
        SmtpClient smtp = SmtpClient.connect(LOCALHOST, submissionPort(), TIMEOUT);
        smtp.reply();
        smtp.command("EHLO client.example");
        assertEquals(220, smtp.startTls().code());
        SmtpClient.Reply ehlo = smtp.command("EHLO client.example");
        assertTrue(
                ehlo.toString(),
                ehlo.toString().contains("OAUTHBEARER") && ehlo.toString().contains("XOAUTH2"));
        return smtp;
    }

    private boolean delivered(String marker) {
        try (Pop3Client pop3 = pop3()) {
            pop3.command("USER " + DEMO_USER);
            if (!pop3.command("PASS " + DEMO_PASSWORD).ok()) {
                return false;
            }
            List<String> numbers = new ArrayList<>();
            for (String line : pop3.multiLine("LIST").lines()) {
                numbers.add(line.split(" ")[0]);
            }
            for (String n : numbers) {
                if (String.join("\n", pop3.multiLine("TOP " + n + " 0").lines()).contains(marker)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The failed token logins karaf.log records, with the reasons the authenticator gave. */
    private static String failedLogins() throws IOException {
        Path log = Path.of(System.getProperty("karaf.log"), "karaf.log");
        try (java.util.stream.Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> line.contains("Failed pop3 login")
                            && !line.contains("stranger")
                            && !line.contains("someone-else"))
                    .collect(java.util.stream.Collectors.joining("\n"));
        }
    }

    private void admin(String command) throws Exception {
        String out = executeCommand(command, Duration.ofSeconds(120), KarafConsole.admin());
        assertFalse(command + ": " + out, out.toLowerCase(java.util.Locale.ROOT).contains("error"));
    }
}
