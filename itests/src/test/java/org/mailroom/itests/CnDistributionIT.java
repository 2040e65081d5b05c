package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.tls.TlsEngineProvider;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.SessionLoad;
import org.mailroom.testing.SmtpClient;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.Option;

/**
 * The mailroom-cn distribution (assembly-cn): its national-crypto boot features and defaults, and
 * each crypto bundle updated and reinstalled while clients log in. One Karaf boot for all of it.
 */
@RunWith(ToolsInstalled.class)
@ToolsInstalled.Require(
        tools = {"openssl"},
        packages = {"openssl"})
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class CnDistributionIT extends MailroomTestSupport {

    private static final String SM3_BSN = "org.mailroom.auth.sm3";
    private static final String SM3_FEATURE = "mailroom-auth-sm3-core";
    private static final String CRYPT_BSN = "org.mailroom.store.crypt";
    private static final String CRYPT_FEATURE = "mailroom-store-crypt-core";
    private static final String KEYS_BSN = "org.mailroom.keys.pkcs12";
    private static final String KEYS_FEATURE = "mailroom-keys-pkcs12-core";
    private static final String TLS_SM_BSN = "org.mailroom.tls.sm";
    private static final String TLS_SM_FEATURE = "mailroom-tls-sm-core";
    private static final String PASSWORD = "Crypt-Secret-1";
    private static final int WELCOME_MESSAGES = 3;
    private static final byte[] ENVELOPE_MAGIC = {(byte) 0x89, 'M', 'R', 'E', 'N', 'V', '\r', '\n'};

    @Override
    protected String distributionUrl(String mailroomVersion) {
        return distribution("mailroom.assembly.cn", "mailroom-assembly-cn");
    }

    @Override
    protected Option[] additionalOptions() {
        return new Option[] {
            // Every login verifies its hash: the scheme must be there, not the login cache.
            editConfigurationFilePut("etc/org.mailroom.auth.password.cfg", "cacheSize", "0"),
            editConfigurationFilePut("etc/org.mailroom.listener-pop3.cfg", "maxConnectionRatePerIp", "1000000"),
            editConfigurationFilePut("etc/org.mailroom.listener-smtp.cfg", "maxConnectionRatePerIp", "1000000"),
            // A message the store could not encrypt (cipher away) is retried soon.
            editConfigurationFilePut("etc/org.mailroom.spool.cfg", "retryDelays", "2"),
        };
    }

    @Test
    public void t1_newPasswordsAreHashedWithSm3Pbkdf2AndLogIn() throws Exception {
        assertFeatureInstalled(SM3_FEATURE);
        assertBundleActive(SM3_BSN);
        UserDirectory users = getOsgiService(UserDirectory.class);
        users.add("sm3user", "国密-Secret-1");
        String line = usersFileLine("sm3user");
        assertTrue(line, line.startsWith("sm3user:{SM3-PBKDF2}$1$"));
        String[] f = line.split(":")[1].split("\\$");
        assertEquals(line, "100000", f[3]);
        assertEquals(line, 64, f[4].length());

        assertEquals("+OK", login("sm3user", "国密-Secret-1").substring(0, 3));
        assertTrue(login("sm3user", "国密-Secret-2").startsWith("-ERR [AUTH]"));
        assertEquals("+OK", login(DEMO_USER, DEMO_PASSWORD).substring(0, 3));
    }

    @Test
    public void t2_importedSm3AndSaltedSm3HashesLogIn() throws Exception {
        byte[] salt = "import-salt-0123".getBytes(UTF_8);
        String plain = HexFormat.of().formatHex(opensslSm3("Imported-1".getBytes(UTF_8)));
        byte[] salted = concat(opensslSm3(concat("Imported-2".getBytes(UTF_8), salt)), salt);
        Files.writeString(
                usersFile(),
                "imported1:{SM3}" + plain + "\nimported2:{SSM3}"
                        + Base64.getEncoder().encodeToString(salted) + "\n",
                StandardOpenOption.APPEND);
        Poll.until(
                "the users file reloaded",
                TIMEOUT,
                () -> login("imported2", "Imported-2").startsWith("+OK"));
        assertTrue(login("imported1", "Imported-1").startsWith("+OK"));
        assertTrue(login("imported1", "imported-1").startsWith("-ERR [AUTH]"));
    }

    @Test(timeout = 300_000)
    public void t3_theSm3BundleUpdatedAndReinstalledWhileUsersLogIn() throws Exception {
        String password = "Swap-" + System.nanoTime();
        // One user per client: two sessions of one user would find the mailbox locked.
        String user = "sm3swap" + System.nanoTime() % 100000 + "-";
        UserDirectory users = getOsgiService(UserDirectory.class);
        for (int client = 0; client < 2; client++) {
            users.add(user + client, password);
        }
        ConcurrentLinkedQueue<String> temporary = new ConcurrentLinkedQueue<>();
        boolean[] absent = {false};
        try (SessionLoad sm3 = SessionLoad.start("sm3", 2, (client, round) -> {
                    String reply = login(user + client, password);
                    if (reply.startsWith("-ERR [SYS/TEMP]") && absent[0]) {
                        temporary.add(reply);
                    } else {
                        assertTrue(reply, reply.startsWith("+OK"));
                    }
                });
                SessionLoad argon2 = SessionLoad.start("argon2", 1, (client, round) -> {
                    String reply = login(DEMO_USER, DEMO_PASSWORD);
                    assertTrue(reply, reply.startsWith("+OK"));
                })) {
            sm3.awaitSessionsByEveryClient(3, TIMEOUT);
            argon2.awaitSessionsByEveryClient(3, TIMEOUT);

            admin("bundle:update " + SM3_BSN);
            sm3.awaitSessionsByEveryClient(3, TIMEOUT);
            sm3.assertNoFailures("during and after bundle:update " + SM3_BSN);

            absent[0] = true;
            admin("feature:uninstall " + SM3_FEATURE);
            Poll.until("SM3 logins refused as temporary", Duration.ofSeconds(60), () -> temporary.size() >= 2);
            argon2.awaitSessionsByEveryClient(2, TIMEOUT);
            admin("feature:install " + SM3_FEATURE);
            sm3.awaitSessionsByEveryClient(2, Duration.ofSeconds(60));
            absent[0] = false;
            sm3.awaitSessionsByEveryClient(3, TIMEOUT);

            sm3.stop(TIMEOUT);
            argon2.stop(TIMEOUT);
            sm3.assertNoFailures("SM3 logins: only temporary failures, only while the feature was away");
            argon2.assertNoFailures("ARGON2ID logins while the SM3 bundle was updated and reinstalled");
        }
        for (String reply : temporary) {
            assertTrue(reply, reply.startsWith("-ERR [SYS/TEMP]"));
        }
        assertBundleActive(SM3_BSN);
    }

    @Test(timeout = 300_000)
    public void t4_welcomeAndDeliveredMailIsSm4OnDiskAndServedAsIfPlain() throws Exception {
        String user = "crypt4";
        getOsgiService(UserDirectory.class).add(user, PASSWORD);
        assertEquals(WELCOME_MESSAGES, messageCount(user));
        String marker = "sealed-marker-" + System.nanoTime();
        String sent = message(marker, 3000); // about 180 KiB: several 64 KiB segments
        deliver(user, sent);
        awaitMessageCount(user, WELCOME_MESSAGES + 1);

        // Mail that was in the Maildir before encryption was switched on.
        String legacy = "Subject: stored before encryption\r\n\r\nplain " + marker + "\r\n";
        Path legacyFile = maildir(user).resolve("cur").resolve("1600000000.M1P1.before-encryption:2,");
        Files.writeString(legacyFile, legacy, UTF_8);
        awaitMessageCount(user, WELCOME_MESSAGES + 2);

        List<Path> files = messageFiles(user);
        assertEquals(files.toString(), WELCOME_MESSAGES + 2, files.size());
        for (Path file : files) {
            byte[] octets = Files.readAllBytes(file);
            if (file.equals(legacyFile)) {
                continue;
            }
            assertTrue(file + " is an envelope", startsWith(octets, ENVELOPE_MAGIC));
            assertEquals(file + ": algorithm SM4-GCM", 1, octets[9]);
            assertFalse(file + " holds no plaintext", new String(octets, ISO_8859_1).contains(marker));
        }

        List<Retrieved> first = retrieveAll(user);
        for (Retrieved m : first) {
            assertEquals("message " + m.number() + ": LIST size = octets served", m.listSize(), m.octets().length);
        }
        String delivered = textContaining(first, "Subject: " + marker);
        assertTrue(delivered, delivered.startsWith("Return-Path: <sender@example.org>\r\n"));
        assertTrue("the message as sent, byte for byte", delivered.endsWith("\r\n" + sent));
        assertEquals(legacy, textContaining(first, "stored before encryption"));
        Path welcome = Path.of(System.getProperty("karaf.etc"), "welcome", "01-welcome.eml");
        List<String> welcomeLines = Files.readAllLines(welcome, UTF_8);
        assertEquals(
                welcomeLines,
                List.of(textContaining(first, "Subject: Welcome to Mailroom").split("\r\n", -1))
                        .subList(0, welcomeLines.size()));
        assertEquals("a second session sees the same uids, sizes and octets", first, retrieveAll(user));
    }

    @Test(timeout = 300_000)
    public void t5_aTamperedOrCutEnvelopeIsAnErrorForThatMessageAndALogLine() throws Exception {
        String user = "crypt5";
        getOsgiService(UserDirectory.class).add(user, PASSWORD);
        deliver(user, message("flipped", 2000));
        deliver(user, message("cut", 2500));
        deliver(user, message("intact", 100));
        awaitMessageCount(user, WELCOME_MESSAGES + 3);
        List<Retrieved> sizes = list(user);
        Path flipped = fileOfWireSize(user, sizes.get(WELCOME_MESSAGES).listSize());
        Path cut = fileOfWireSize(user, sizes.get(WELCOME_MESSAGES + 1).listSize());

        byte[] octets = Files.readAllBytes(flipped);
        octets[octets.length / 2] ^= 0x01;
        Files.write(flipped, octets);
        byte[] whole = Files.readAllBytes(cut);
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 100));

        try (Pop3Client pop3 = loggedIn(user)) {
            assertEquals(sizes.toString(), sizes, listed(pop3));
            int f = WELCOME_MESSAGES + 1;
            assertEquals(
                    "-ERR Message " + f + " is damaged and cannot be read",
                    pop3.multiLine("RETR " + f).status());
            assertEquals(
                    "-ERR Message " + (f + 1) + " is damaged and cannot be read",
                    pop3.multiLine("TOP " + (f + 1) + " 0").status());
            Pop3Client.Response intact = pop3.multiLine("RETR " + (f + 2));
            assertTrue(intact.status(), intact.ok());
            assertTrue(intact.status(), intact.lines().stream().anyMatch(l -> l.startsWith("intact line 99 ")));
            assertTrue(pop3.multiLine("RETR 1").ok());
            assertEquals("+OK", pop3.command("QUIT").status().substring(0, 3));
        }
        Path log = Path.of(System.getProperty("karaf.log"), "karaf.log");
        for (Path damaged : List.of(flipped, cut)) {
            Poll.until("karaf.log names " + damaged, TIMEOUT, () -> {
                try {
                    return Files.readAllLines(log, UTF_8).stream()
                            .anyMatch(
                                    l -> l.contains("is damaged and is not served") && l.contains(damaged.toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertTrue("a damaged message stays on disk for inspection", Files.exists(damaged));
        }
        assertArrayEquals(octets, Files.readAllBytes(flipped));
    }

    @Test(timeout = 300_000)
    public void t6_keyRotationKeepsOldMailReadableAndRewrapMovesItToTheNewKey() throws Exception {
        String user = "crypt6";
        getOsgiService(UserDirectory.class).add(user, PASSWORD);
        deliver(user, message("before-rotation", 200));
        awaitMessageCount(user, WELCOME_MESSAGES + 1);
        String oldKey =
                keyIdOf(fileOfWireSize(user, list(user).get(WELCOME_MESSAGES).listSize()));
        assertTrue(admin("mail:key-list"), admin("mail:key-list").contains("* " + oldKey));

        String rotated = admin("mail:key-rotate");
        java.util.regex.Matcher added =
                java.util.regex.Pattern.compile("Added SM4 key (\\S+) to ").matcher(rotated);
        assertTrue(rotated, added.find());
        String newKey = added.group(1);
        assertFalse(newKey.equals(oldKey));
        String keys = admin("mail:key-list");
        assertTrue(keys, keys.contains("* " + newKey) && keys.contains("  " + oldKey));

        deliver(user, message("after-rotation", 300));
        awaitMessageCount(user, WELCOME_MESSAGES + 2);
        List<Retrieved> before = retrieveAll(user);
        Map<String, String> keyOfFile = keyIds(user);
        assertEquals(keyOfFile.toString(), 1, java.util.Collections.frequency(keyOfFile.values(), newKey));
        assertEquals(
                keyOfFile.toString(),
                WELCOME_MESSAGES + 1,
                java.util.Collections.frequency(keyOfFile.values(), oldKey));

        String rewrap = admin("mail:store-rewrap " + user);
        assertTrue(
                rewrap,
                rewrap.contains("1 mailboxes: " + (WELCOME_MESSAGES + 1)
                        + " messages re-wrapped, 1 already under the current key, 0 not encrypted, 0 failed"));
        Map<String, String> after = keyIds(user);
        assertEquals("the same files, every one under the new key", keyOfFile.keySet(), after.keySet());
        assertEquals(after.toString(), java.util.Set.of(newKey), new java.util.HashSet<>(after.values()));
        assertEquals("uids, sizes and octets unchanged by the re-wrap", before, retrieveAll(user));
    }

    @Test(timeout = 400_000)
    public void t7_cryptoBundlesUpdatedAndReinstalledWhileClientsReadEncryptedMail() throws Exception {
        assertFeatureInstalled(CRYPT_FEATURE, KEYS_FEATURE);
        assertBundleActive(CRYPT_BSN);
        assertBundleActive(KEYS_BSN);
        assertNull("no global BC provider", Security.getProvider("BC"));
        UserDirectory users = getOsgiService(UserDirectory.class);
        List<List<Retrieved>> expected = new ArrayList<>();
        for (int client = 0; client < 2; client++) {
            users.add("crypt7-" + client, PASSWORD);
            deliver("crypt7-" + client, message("load-" + client, 1500));
            awaitMessageCount("crypt7-" + client, WELCOME_MESSAGES + 1);
            expected.add(retrieveAll("crypt7-" + client));
        }
        ConcurrentLinkedQueue<String> temporary = new ConcurrentLinkedQueue<>();
        boolean[] absent = {false};
        try (SessionLoad readers = SessionLoad.start("readers", 2, (client, round) -> {
            try (Pop3Client pop3 = loggedIn("crypt7-" + client)) {
                List<Retrieved> want = expected.get(client);
                for (Retrieved m : want) {
                    Pop3Client.Response r = pop3.multiLine("RETR " + m.number());
                    if (absent[0] && r.status().startsWith("-ERR [SYS/TEMP]")) {
                        temporary.add(r.status());
                        continue;
                    }
                    assertTrue(r.status(), r.ok());
                    assertEquals("message " + m.number(), m.text(), joined(r.lines()));
                }
                assertTrue(pop3.command("QUIT").ok());
            }
        })) {
            readers.awaitSessionsByEveryClient(3, TIMEOUT);
            for (String bsn : List.of(CRYPT_BSN, KEYS_BSN)) {
                admin("bundle:update " + bsn);
                readers.awaitSessionsByEveryClient(3, TIMEOUT);
                readers.assertNoFailures("reading encrypted mail during and after bundle:update " + bsn);
            }
            for (String feature : List.of(CRYPT_FEATURE, KEYS_FEATURE)) {
                absent[0] = true;
                int before = temporary.size();
                admin("feature:uninstall " + feature);
                Poll.until(
                        "reads of encrypted mail refused as temporary without " + feature,
                        Duration.ofSeconds(90),
                        () -> temporary.size() >= before + 2);
                assertNull("no BC provider left behind by " + feature, Security.getProvider("BC"));
                admin("feature:install " + feature);
                readers.awaitSessionsByEveryClient(2, Duration.ofSeconds(90));
                absent[0] = false;
                readers.awaitSessionsByEveryClient(3, TIMEOUT);
            }
            readers.stop(TIMEOUT);
            readers.assertNoFailures("only temporary refusals, only while a crypto feature was away");
        }
        for (String reply : temporary) {
            assertTrue(reply, reply.startsWith("-ERR [SYS/TEMP]"));
        }
        assertNull(Security.getProvider("BC"));

        // Mail accepted while the cipher is away is kept in the spool and stored encrypted later.
        String user = "crypt7-spooled";
        users.add(user, PASSWORD);
        assertEquals(WELCOME_MESSAGES, messageCount(user));
        admin("feature:uninstall " + CRYPT_FEATURE);
        deliver(user, message("spooled", 50));
        admin("feature:install " + CRYPT_FEATURE);
        awaitMessageCount(user, WELCOME_MESSAGES + 1);
        Path stored = fileOfWireSize(user, list(user).get(WELCOME_MESSAGES).listSize());
        assertTrue(stored + " is an envelope", startsWith(Files.readAllBytes(stored), ENVELOPE_MAGIC));
        assertTrue(retrieveAll(user).get(WELCOME_MESSAGES).text().contains("spooled line 49"));
    }

    @Test(timeout = 300_000)
    public void t8_rfc8998AndInternationalTlsOnTheSamePortsThenPop3Logins() throws Exception {
        assertFeatureInstalled(TLS_SM_FEATURE);
        assertBundleActive(TLS_SM_BSN);
        // An SM2 key and certificate as an operator makes them with Debian's openssl, replacing
        // the self-signed one the bundle generated at first start.
        Path certificate = Path.of(tlsSmSetting("certificate"));
        Path key = Path.of(tlsSmSetting("privateKey"));
        assertTrue("self-signed SM2 certificate generated: " + certificate, Files.exists(certificate));
        Path dir = Files.createTempDirectory("sm2");
        Path newKey = dir.resolve("key.pem");
        Path newCert = dir.resolve("cert.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", newKey.toString());
        openssl(
                "req",
                "-new",
                "-x509",
                "-key",
                newKey.toString(),
                "-sm3",
                "-sigopt",
                "distid:1234567812345678",
                "-subj",
                "/CN=localhost/O=Mailroom CnDistributionIT",
                "-days",
                "30",
                "-out",
                newCert.toString());
        Files.copy(newKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(newCert, certificate, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] opensslDer = pemDer(newCert);
        Poll.until("the openssl SM2 certificate served", TIMEOUT, () -> {
            try (SmClient sm = SmClient.connect(pop3sPort())) {
                return java.util.Arrays.equals(opensslDer, sm.client.serverCertificate);
            } catch (IOException e) {
                return false;
            }
        });

        try (SmClient sm = SmClient.connect(pop3sPort())) {
            assertEquals(org.bouncycastle.tls.CipherSuite.TLS_SM4_GCM_SM3, sm.client.cipherSuite());
            String greeting = sm.readLine();
            assertTrue(greeting, greeting.startsWith("+OK"));
            assertPop3Login(sm);
        }
        try (Pop3Client jdk = Pop3Client.connectTls(LOCALHOST, pop3sPort(), TIMEOUT)) {
            assertEquals("the JDK client sees the international TLS", "TLSv1.3", jdk.tlsProtocol());
            assertTrue(jdk.readGreeting().startsWith("+OK"));
            assertTrue(jdk.command("USER " + DEMO_USER).ok());
            assertTrue(jdk.command("PASS " + DEMO_PASSWORD).ok());
            assertTrue(jdk.command("QUIT").ok());
        }
        String international = opensslPop3Session(pop3sPort());
        assertTrue(international, international.contains("Protocol version: TLSv1.3"));
        assertTrue(
                international,
                international.contains("Ciphersuite: TLS_AES_") || international.contains("Ciphersuite: TLS_CHACHA20"));
        assertFalse(
                "openssl is not served the SM2 certificate: " + international,
                international.contains("CnDistributionIT"));
        assertTrue(international, countOk(international) >= 4); // greeting, USER, PASS, QUIT
        assertFalse(international, international.contains("-ERR"));

        // STLS on the POP3 port: the same choice after the upgrade.
        try (java.net.Socket plain = new java.net.Socket(LOCALHOST, pop3Port())) {
            plain.setSoTimeout((int) TIMEOUT.toMillis());
            var in = new java.io.BufferedInputStream(plain.getInputStream());
            var out = plain.getOutputStream();
            assertTrue(readLine(in).startsWith("+OK"));
            out.write("STLS\r\n".getBytes(UTF_8));
            assertTrue(readLine(in).startsWith("+OK"));
            try (SmClient sm = SmClient.over(in, out)) {
                assertEquals(org.bouncycastle.tls.CipherSuite.TLS_SM4_GCM_SM3, sm.client.cipherSuite());
                assertPop3Login(sm);
            }
        }
    }

    @Test(timeout = 300_000)
    public void t9_theRfc8998BundleUpdatedAndRemovedWhileInternationalClientsLogIn() throws Exception {
        UserDirectory users = getOsgiService(UserDirectory.class);
        for (int client = 0; client < 2; client++) {
            users.add("tlsload" + client, PASSWORD);
        }
        try (SessionLoad international = SessionLoad.start("jdk-tls", 2, (client, round) -> {
            try (Pop3Client jdk = Pop3Client.connectTls(LOCALHOST, pop3sPort(), TIMEOUT)) {
                assertTrue(jdk.readGreeting().startsWith("+OK"));
                assertTrue(jdk.command("USER tlsload" + client).ok());
                Pop3Client.Response pass = jdk.command("PASS " + PASSWORD);
                assertTrue(pass.status(), pass.ok());
                assertTrue(jdk.command("QUIT").ok());
            }
        })) {
            international.awaitSessionsByEveryClient(3, TIMEOUT);
            // The RFC 8998 client runs in this probe, wired to the container's bctls, which these
            // swaps may refresh: after them the provider is checked as a service.
            admin("bundle:update " + TLS_SM_BSN);
            getOsgiService(TlsEngineProvider.class, "(" + TlsEngineProvider.NAME + "=rfc8998)", TIMEOUT);
            international.awaitSessionsByEveryClient(3, TIMEOUT);
            admin("feature:uninstall " + TLS_SM_FEATURE);
            international.awaitSessionsByEveryClient(3, TIMEOUT);
            admin("feature:install " + TLS_SM_FEATURE);
            getOsgiService(TlsEngineProvider.class, "(" + TlsEngineProvider.NAME + "=rfc8998)", TIMEOUT);
            international.awaitSessionsByEveryClient(3, TIMEOUT);
            international.stop(TIMEOUT);
            international.assertNoFailures("international TLS logins while the RFC 8998 bundle was swapped");
            assertNull(Security.getProvider("BC"));
            assertNull(Security.getProvider("BCJSSE"));
        }
    }

    private void assertPop3Login(SmClient sm) throws IOException {
        sm.send("USER " + DEMO_USER);
        assertTrue(sm.readLine().startsWith("+OK"));
        sm.send("PASS " + DEMO_PASSWORD);
        String pass = sm.readLine();
        assertTrue(pass, pass.startsWith("+OK"));
        sm.send("QUIT");
        assertTrue(sm.readLine().startsWith("+OK"));
    }

    /** Bouncy Castle's TLS client offering RFC 8998 only: TLS 1.3, TLS_SM4_GCM_SM3, sm2sig_sm3, curveSM2. */
    private static final class Rfc8998Client extends org.bouncycastle.tls.DefaultTlsClient {
        volatile byte[] serverCertificate;

        Rfc8998Client() {
            super(new org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto(new java.security.SecureRandom()));
        }

        int cipherSuite() {
            return context.getSecurityParametersConnection().getCipherSuite();
        }

        @Override
        protected org.bouncycastle.tls.ProtocolVersion[] getSupportedVersions() {
            return org.bouncycastle.tls.ProtocolVersion.TLSv13.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return new int[] {org.bouncycastle.tls.CipherSuite.TLS_SM4_GCM_SM3};
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        protected java.util.Vector getSupportedGroups(java.util.Vector roles) {
            java.util.Vector groups = new java.util.Vector();
            groups.add(org.bouncycastle.tls.NamedGroup.curveSM2);
            return groups;
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        protected java.util.Vector getSupportedSignatureAlgorithms() {
            java.util.Vector algorithms = new java.util.Vector();
            algorithms.add(org.bouncycastle.tls.SignatureAndHashAlgorithm.sm2sig_sm3);
            return algorithms;
        }

        @Override
        public org.bouncycastle.tls.TlsAuthentication getAuthentication() {
            return new org.bouncycastle.tls.TlsAuthentication() {
                @Override
                public void notifyServerCertificate(org.bouncycastle.tls.TlsServerCertificate certificate)
                        throws IOException {
                    serverCertificate =
                            certificate.getCertificate().getCertificateAt(0).getEncoded();
                }

                @Override
                public org.bouncycastle.tls.TlsCredentials getClientCredentials(
                        org.bouncycastle.tls.CertificateRequest request) {
                    return null;
                }
            };
        }
    }

    /** An RFC 8998 connection: the BC client and its plaintext streams. */
    private static final class SmClient implements AutoCloseable {
        final Rfc8998Client client = new Rfc8998Client();
        final org.bouncycastle.tls.TlsClientProtocol protocol;
        final java.net.Socket socket;
        final java.io.InputStream in;

        private SmClient(java.net.Socket socket, java.io.InputStream raw, java.io.OutputStream out) throws IOException {
            this.socket = socket;
            protocol = new org.bouncycastle.tls.TlsClientProtocol(raw, out);
            protocol.connect(client);
            in = new java.io.BufferedInputStream(protocol.getInputStream());
        }

        static SmClient connect(int port) throws IOException {
            java.net.Socket s = new java.net.Socket(LOCALHOST, port);
            s.setSoTimeout((int) TIMEOUT.toMillis());
            try {
                return new SmClient(s, s.getInputStream(), s.getOutputStream());
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        static SmClient over(java.io.InputStream in, java.io.OutputStream out) throws IOException {
            return new SmClient(null, in, out);
        }

        void send(String line) throws IOException {
            protocol.getOutputStream().write((line + "\r\n").getBytes(UTF_8));
            protocol.getOutputStream().flush();
        }

        String readLine() throws IOException {
            return CnDistributionIT.readLine(in);
        }

        @Override
        public void close() throws IOException {
            try {
                protocol.close();
            } finally {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private static String readLine(java.io.InputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new java.io.EOFException("closed after " + line.toString(UTF_8));
            }
            line.write(b);
        }
        return line.toString(UTF_8).replaceAll("\r$", "");
    }

    private String tlsSmSetting(String key) throws IOException {
        Object v = configurationAdmin
                .getConfiguration("org.mailroom.tls.sm", null)
                .getProperties()
                .get(key);
        assertTrue("etc/org.mailroom.tls.sm.cfg has " + key, v != null);
        return v.toString();
    }

    private static byte[] pemDer(Path pem) throws IOException {
        String text = Files.readString(pem, java.nio.charset.StandardCharsets.US_ASCII);
        String body = text.substring(
                text.indexOf("-----BEGIN CERTIFICATE-----") + 27, text.indexOf("-----END CERTIFICATE-----"));
        return Base64.getMimeDecoder().decode(body);
    }

    private static int countOk(String text) {
        return text.split("\\+OK", -1).length - 1;
    }

    /** A POP3 login through Debian's openssl s_client, as an international client; its whole output. */
    private static String opensslPop3Session(int port) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", LOCALHOST + ":" + port, "-quiet", "-brief")
                .redirectErrorStream(true)
                .start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                output.append(new String(p.getInputStream().readAllBytes(), UTF_8));
            } catch (IOException e) {
                output.append(e);
            }
        });
        reader.start();
        try (var stdin = p.getOutputStream()) {
            for (String line : List.of("USER " + DEMO_USER, "PASS " + DEMO_PASSWORD, "QUIT")) {
                stdin.write((line + "\r\n").getBytes(UTF_8));
                stdin.flush();
            }
            assertTrue("openssl s_client finished", p.waitFor(60, TimeUnit.SECONDS));
        }
        reader.join(10_000);
        return output.toString();
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(command + ": " + out, 0, p.exitValue());
    }

    // ---- helpers ----

    /** One message as POP3 lists and serves it; octets empty when only listed. */
    private record Retrieved(int number, String uid, int listSize, byte[] octets) {
        String text() {
            return new String(octets, UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Retrieved r
                    && r.number == number
                    && r.uid.equals(uid)
                    && r.listSize == listSize
                    && java.util.Arrays.equals(r.octets, octets);
        }

        @Override
        public int hashCode() {
            return uid.hashCode();
        }

        @Override
        public String toString() {
            return number + " " + uid + " " + listSize + (octets.length > 0 ? " (" + octets.length + " octets)" : "");
        }
    }

    private static String textContaining(List<Retrieved> messages, String text) {
        List<String> found = messages.stream()
                .map(Retrieved::text)
                .filter(t -> t.contains(text))
                .toList();
        assertEquals("one message containing " + text + " in " + messages, 1, found.size());
        return found.get(0);
    }

    private static String message(String tag, int lines) {
        StringBuilder m = new StringBuilder("From: <sender@example.org>\r\nSubject: " + tag + "\r\n\r\n");
        for (int i = 0; i < lines; i++) {
            m.append(tag)
                    .append(" line ")
                    .append(i)
                    .append(" ")
                    .append("x".repeat(i % 70))
                    .append("\r\n");
        }
        return m.toString();
    }

    private void deliver(String user, String message) throws IOException {
        try (SmtpClient smtp = SmtpClient.connect(LOCALHOST, smtpPort(), TIMEOUT)) {
            assertEquals(220, smtp.reply().code());
            assertEquals(250, smtp.command("EHLO client.example").code());
            assertEquals(250, smtp.command("MAIL FROM:<sender@example.org>").code());
            assertEquals(
                    250,
                    smtp.command("RCPT TO:<" + user + "@" + TEST_DOMAIN + ">").code());
            SmtpClient.Reply queued = smtp.data(message);
            assertEquals(queued.toString(), 250, queued.code());
            smtp.command("QUIT");
        }
    }

    private Pop3Client loggedIn(String user) throws IOException {
        Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT);
        pop3.readGreeting();
        assertTrue(pop3.command("USER " + user).ok());
        Pop3Client.Response pass = pop3.command("PASS " + PASSWORD);
        assertTrue(pass.status(), pass.ok());
        return pop3;
    }

    private int messageCount(String user) throws IOException {
        try (Pop3Client pop3 = loggedIn(user)) {
            String stat = pop3.command("STAT").status();
            pop3.command("QUIT");
            return Integer.parseInt(stat.split(" ")[1]);
        }
    }

    private void awaitMessageCount(String user, int count) throws InterruptedException {
        Poll.until(user + " has " + count + " messages", TIMEOUT, () -> {
            try {
                return messageCount(user) == count;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static List<Retrieved> listed(Pop3Client pop3) throws IOException {
        List<String> sizes = pop3.multiLine("LIST").lines();
        List<String> uids = pop3.multiLine("UIDL").lines();
        List<Retrieved> out = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            String[] s = sizes.get(i).split(" ");
            String[] u = uids.get(i).split(" ");
            assertEquals(s[0], u[0]);
            out.add(new Retrieved(Integer.parseInt(s[0]), u[1], Integer.parseInt(s[1]), new byte[0]));
        }
        return out;
    }

    private List<Retrieved> list(String user) throws IOException {
        try (Pop3Client pop3 = loggedIn(user)) {
            List<Retrieved> out = listed(pop3);
            pop3.command("QUIT");
            return out;
        }
    }

    private List<Retrieved> retrieveAll(String user) throws IOException {
        try (Pop3Client pop3 = loggedIn(user)) {
            List<Retrieved> out = new ArrayList<>();
            for (Retrieved m : listed(pop3)) {
                Pop3Client.Response r = pop3.multiLine("RETR " + m.number());
                assertTrue(r.status(), r.ok());
                out.add(new Retrieved(
                        m.number(), m.uid(), m.listSize(), joined(r.lines()).getBytes(UTF_8)));
            }
            pop3.command("QUIT");
            return out;
        }
    }

    private static String joined(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append("\r\n");
        }
        return text.toString();
    }

    private List<Path> messageFiles(String user) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String folder : List.of("new", "cur")) {
            try (var listing = Files.list(maildir(user).resolve(folder))) {
                listing.forEach(files::add);
            }
        }
        return files;
    }

    /** The message file whose name records this wire size (W=), the one LIST shows. */
    private Path fileOfWireSize(String user, int wireSize) throws IOException {
        List<Path> matching = new ArrayList<>();
        for (Path file : messageFiles(user)) {
            if (file.getFileName().toString().matches(".*,W=" + wireSize + "(:.*|,.*|)$")) {
                matching.add(file);
            }
        }
        assertEquals("one file of wire size " + wireSize + " in " + messageFiles(user), 1, matching.size());
        return matching.get(0);
    }

    /** The key id an envelope's key block names: after the 21-octet fixed header, length-prefixed. */
    private static String keyIdOf(Path envelope) throws IOException {
        byte[] octets = Files.readAllBytes(envelope);
        assertTrue(envelope.toString(), startsWith(octets, ENVELOPE_MAGIC));
        int length = octets[21] & 0xff;
        return new String(octets, 22, length, UTF_8);
    }

    private Map<String, String> keyIds(String user) throws IOException {
        Map<String, String> ids = new java.util.TreeMap<>();
        for (Path file : messageFiles(user)) {
            ids.put(file.getFileName().toString(), keyIdOf(file));
        }
        return ids;
    }

    private static boolean startsWith(byte[] octets, byte[] prefix) {
        return octets.length >= prefix.length
                && java.util.Arrays.equals(octets, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The status line answering PASS, after USER, in a session from loopback. */
    private String login(String user, String password) {
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            pop3.readGreeting();
            assertTrue(pop3.command("USER " + user).ok());
            String reply = pop3.command("PASS " + password).status();
            pop3.command("QUIT");
            return reply;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Path usersFile() {
        return Path.of(System.getProperty("karaf.etc"), "mailroom-users.passwd");
    }

    private static String usersFileLine(String user) throws IOException {
        List<String> lines = Files.readAllLines(usersFile());
        return lines.stream()
                .filter(l -> l.startsWith(user + ":"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(user + " not in " + lines));
    }

    /** SM3 as Debian's openssl computes it, independent of the bundle under test. */
    private static byte[] opensslSm3(byte[] data) throws Exception {
        Process p = new ProcessBuilder("openssl", "dgst", "-sm3", "-binary").start();
        try (var in = p.getOutputStream()) {
            in.write(data);
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(new String(p.getErrorStream().readAllBytes(), UTF_8), 0, p.exitValue());
        assertEquals(32, out.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private String admin(String command) throws Exception {
        String out = executeCommand(command, Duration.ofSeconds(120), KarafConsole.admin());
        assertFalse(command + ": " + out, out.toLowerCase(Locale.ROOT).contains("error"));
        return out;
    }
}
