package org.mailroom.transport.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.api.protocol.ProtocolSession;
import org.mailroom.testing.RequiredTool;
import org.mailroom.testing.TrustAll;

/**
 * The shipped TLS defaults against testssl.sh (Debian package {@code testssl.sh}): a real listener
 * with a generated self-signed certificate, implicit TLS and POP3 STLS, must show no finding of
 * severity HIGH or CRITICAL, nothing VULNERABLE, only TLS 1.2/1.3, only ECDHE AEAD suites, and no
 * client-initiated renegotiation. Skipped without testssl, failed in CI (CI set) without it.
 */
public class TlsHardeningTest {

    private static final Path TESTSSL = Path.of("/usr/bin/testssl");
    /** testssl's own time limit; a run here takes well under a minute on loopback. */
    private static final long TESTSSL_SECONDS = 150;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public final Listeners listeners = new Listeners();

    // ---- tls.cipherSuites validation

    @Test
    public void theDefaultSuitesAreTheAnnotationDefaultsAndAllForwardSecretAead() throws Exception {
        String[] annotationDefault =
                (String[]) ListenerConfig.class.getMethod("tls_cipherSuites").getDefaultValue();
        assertEquals(TlsSettings.DEFAULT_CIPHER_SUITES, List.of(annotationDefault));
        assertEquals(
                TlsSettings.DEFAULT_CIPHER_SUITES,
                TlsSettings.from(config(new HashMap<>())).cipherSuites());
        for (String suite : TlsSettings.DEFAULT_CIPHER_SUITES) {
            assertEquals(suite, null, TlsSettings.refusal(suite));
            assertTrue(suite, forwardSecretAead(suite));
            assertTrue(
                    suite + " is supported by the JDK",
                    TlsContextSource.jdkCipherSuites().contains(suite));
        }
    }

    @Test
    public void weakOrUnknownSuitesAreRejectedNamingTheKeyAndTheSuite() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("TLS_RSA_WITH_AES_128_GCM_SHA256", "not forward secret");
        bad.put("TLS_RSA_WITH_AES_256_CBC_SHA256", "not forward secret");
        bad.put("TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "not forward secret");
        bad.put("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "not an AEAD cipher");
        bad.put("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "not an AEAD cipher");
        bad.put("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "not an AEAD cipher");
        bad.put("TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "anonymous");
        bad.put("TLS_DH_anon_WITH_AES_128_GCM_SHA256", "anonymous");
        bad.put("TLS_RSA_WITH_NULL_SHA256", "no encryption");
        bad.put("TLS_ECDHE_ECDSA_WITH_NULL_SHA", "no encryption");
        bad.put("SSL_RSA_EXPORT_WITH_RC4_40_MD5", "export");
        bad.put("TLS_ECDHE_RSA_WITH_RC4_128_SHA", "RC4");
        bad.put("SSL_RSA_WITH_3DES_EDE_CBC_SHA", "DES");
        bad.put("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "DES");
        bad.put("TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "not a cipher suite");
        bad.put("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA512", "does not support");
        bad.put("TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "does not support");
        bad.put("ECDHE-RSA-AES128-GCM-SHA256", "not a TLS 1.2 or TLS 1.3 cipher suite name");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String configured = "TLS_AES_128_GCM_SHA256, " + e.getKey() + ",TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
            String message = rejection(Map.of("tls_cipherSuites", new String[] {configured}));
            assertTrue(message, message.startsWith("tls.cipherSuites "));
            assertTrue(message, message.contains(e.getKey()));
            assertTrue(message + " says " + e.getValue(), message.contains(e.getValue()));
            if (!e.getValue().equals("does not support")) {
                assertFalse(e.getKey(), forwardSecretAead(e.getKey()));
            }
        }
    }

    @Test
    public void suitesAreCommaSeparatedKeepTheirOrderAndMustCoverEachProtocol() {
        List<String> suites = TlsSettings.from(config(Map.of("tls_cipherSuites", new String[] {
                    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 , TLS_CHACHA20_POLY1305_SHA256",
                    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"
                })))
                .cipherSuites();
        assertEquals(
                List.of(
                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                        "TLS_CHACHA20_POLY1305_SHA256",
                        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
                suites);
        assertTrue(
                rejection(Map.of("tls_cipherSuites", new String[] {" , "})).startsWith("tls.cipherSuites must name"));
        String no12 = rejection(Map.of("tls_cipherSuites", new String[] {"TLS_AES_128_GCM_SHA256"}));
        assertTrue(no12, no12.startsWith("tls.cipherSuites names no TLS 1.2 suite"));
        String no13 = rejection(Map.of("tls_cipherSuites", new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}));
        assertTrue(no13, no13.startsWith("tls.cipherSuites names no TLS 1.3 suite"));
        assertEquals(
                List.of("TLS_AES_128_GCM_SHA256"),
                TlsSettings.from(config(
                                Map.of("tls_protocols", new String[] {"TLSv1.3"}, "tls_cipherSuites", new String[] {
                                    "TLS_AES_128_GCM_SHA256"
                                })))
                        .cipherSuites());
    }

    private static String rejection(Map<String, Object> values) {
        try {
            TlsSettings.from(config(values));
        } catch (ConfigException e) {
            return e.getMessage();
        }
        fail("accepted " + values);
        return null;
    }

    // ---- the suites and renegotiation on a real listener

    @Test(timeout = 60_000)
    public void aTls12ClientOfferingOnlyCbcIsRefusedAndEcdheGcmConnects() throws Exception {
        MinaListener listener = start(config("implicit"));
        for (String cbc : List.of(
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
                "TLS_RSA_WITH_AES_128_CBC_SHA",
                "TLS_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")) {
            try (SSLSocket s = tls12(listener, cbc)) {
                s.startHandshake();
                fail(cbc + " was accepted");
            } catch (SSLException expected) {
                // handshake_failure: no suite in common
            }
        }
        try (SSLSocket s = tls12(listener, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")) {
            assertEquals("+OK test ready", line(s));
            assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", s.getSession().getCipherSuite());
        }
        try (SSLSocket s = tls12(listener, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")) {
            assertEquals("+OK test ready", line(s));
        }
    }

    @Test(timeout = 60_000)
    public void theServersSuiteOrderWins() throws Exception {
        Map<String, Object> values = values("implicit");
        values.put("tls_cipherSuites", new String[] {
            "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256," + "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        });
        MinaListener listener = start(config(values));
        try (SSLSocket s =
                tls12(listener, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")) {
            assertEquals("+OK test ready", line(s));
            assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", s.getSession().getCipherSuite());
        }
    }

    @Test(timeout = 60_000)
    public void clientInitiatedRenegotiationIsRefused() throws Exception {
        MinaListener listener = start(config("implicit"));
        assertEquals("true", System.getProperty(TlsContextSource.REJECT_CLIENT_RENEGOTIATION));
        try (SSLSocket s = tls12(listener, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")) {
            assertEquals("+OK test ready", line(s));
            s.startHandshake();
            try {
                s.getOutputStream().write("CAPA\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String reply = line(s);
                fail("the renegotiated connection went on: " + reply);
            } catch (IOException expected) {
                // the server ends the connection with a handshake_failure alert
            }
        }
    }

    private static SSLSocket tls12(MinaListener listener, String... suites) throws Exception {
        SSLSocket s = (SSLSocket) TrustAll.context()
                .getSocketFactory()
                .createSocket("127.0.0.1", listener.boundAddress().getPort());
        s.setSoTimeout(20_000);
        s.setEnabledProtocols(new String[] {"TLSv1.2"});
        s.setEnabledCipherSuites(suites);
        return s;
    }

    /** One reply line; IOException when the connection ends first. */
    private static String line(SSLSocket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return buf.toString(StandardCharsets.UTF_8).replaceAll("\r$", "");
            }
            buf.write(c);
        }
        throw new IOException("connection closed after " + Arrays.toString(buf.toByteArray()));
    }

    // ---- testssl.sh

    @Test(timeout = 200_000)
    public void testsslFindsNothingOnImplicitTls() throws Exception {
        requireTestssl();
        MinaListener listener = start(config("implicit"));
        assertClean(testssl(listener, null));
    }

    @Test(timeout = 200_000)
    public void testsslFindsNothingOnStartTls() throws Exception {
        requireTestssl();
        MinaListener listener = start(config("starttls"));
        assertClean(testssl(listener, "pop3"));
    }

    private static void requireTestssl() {
        RequiredTool.require(TESTSSL.toString(), "testssl.sh");
    }

    /** Runs testssl against the listener and returns its findings (id, severity, finding). */
    private List<Map<String, String>> testssl(MinaListener listener, String starttls) throws Exception {
        // kept under target/ for a look after a failure; testssl refuses to overwrite its JSON
        Path dir = Path.of("target", "testssl", starttls == null ? "implicit" : "starttls-" + starttls)
                .toAbsolutePath();
        Files.createDirectories(dir);
        Path json = dir.resolve("result.json");
        Path log = dir.resolve("testssl.log");
        Files.deleteIfExists(json);
        List<String> command = new ArrayList<>(List.of(
                TESTSSL.toString(),
                "--quiet",
                "--color",
                "0",
                "--warnings",
                "off",
                "--sneaky",
                "--nodns",
                "none",
                "--connect-timeout",
                "10",
                "--openssl-timeout",
                "10",
                "-p",
                "-s",
                "-f",
                "-E",
                "-P",
                "-U",
                "--jsonfile-pretty",
                json.toString()));
        if (starttls != null) {
            command.addAll(List.of("--starttls", starttls));
        }
        command.add("127.0.0.1:" + listener.boundAddress().getPort());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("TERM", "dumb");
        long started = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(TESTSSL_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("testssl did not finish within " + TESTSSL_SECONDS + " s; output:\n" + read(log));
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        System.out.println("testssl " + (starttls == null ? "implicit TLS" : "--starttls " + starttls) + ": exit "
                + p.exitValue() + " after " + seconds + " s\n" + read(log));
        assertTrue(
                "testssl wrote no JSON (exit " + p.exitValue() + "); output:\n" + read(log), Files.isRegularFile(json));
        List<Map<String, String>> findings = new ArrayList<>();
        collectFindings(new Json(Files.readString(json, StandardCharsets.UTF_8)).value(), findings);
        assertFalse("testssl reported no findings; output:\n" + read(log), findings.isEmpty());
        return findings;
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static void assertClean(List<Map<String, String>> findings) {
        List<String> problems = new ArrayList<>();
        Map<String, String> byId = new HashMap<>();
        for (Map<String, String> f : findings) {
            String id = f.getOrDefault("id", "");
            String severity = f.getOrDefault("severity", "");
            String finding = f.getOrDefault("finding", "");
            byId.put(id, finding);
            if (id.equals("scanProblem") || severity.equals("WARN") && finding.contains("Scan interrupted")) {
                problems.add("scan problem: " + f);
            }
            if (severity.equals("HIGH") || severity.equals("CRITICAL")) {
                problems.add("severity " + severity + ": " + f);
            }
            String lower = finding.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("vulnerable") && !lower.contains("not vulnerable") && !notApplicable(finding)) {
                problems.add("vulnerable: " + f);
            }
            if (id.startsWith("cipher-") || id.startsWith("cipher_x") || id.startsWith("cipherorder_")) {
                for (String suite : ianaNames(finding)) {
                    if (!forwardSecretAead(suite)) {
                        problems.add("offered suite " + suite + ": " + f);
                    }
                }
            }
        }
        for (String old : List.of("SSLv2", "SSLv3", "TLS1", "TLS1_1")) {
            String finding = byId.get(old);
            if (finding == null || !finding.startsWith("not offered")) {
                problems.add(old + " must be reported as not offered, was: " + finding);
            }
        }
        for (String current : List.of("TLS1_2", "TLS1_3")) {
            String finding = byId.get(current);
            if (finding == null || !finding.startsWith("offered")) {
                problems.add(current + " must be offered, was: " + finding);
            }
        }
        String renegotiation = byId.get("secure_client_renego");
        if (renegotiation == null
                || !renegotiation.toLowerCase(java.util.Locale.ROOT).startsWith("not vulnerable")) {
            problems.add("client-initiated renegotiation must be not vulnerable, was: " + renegotiation);
        }
        if (!"server".equals(byId.get("cipher_order"))) {
            problems.add("the server's cipher order must be used, cipher_order was: " + byId.get("cipher_order"));
        }
        if (!byId.keySet().stream().anyMatch(id -> id.startsWith("cipher-tls1_2_"))) {
            problems.add("testssl listed no TLS 1.2 suite (ids: " + byId.keySet() + ")");
        }
        assertTrue(String.join("\n", problems), problems.isEmpty());
    }

    /** testssl says why a check does not apply, e.g. BREACH without an HTTP service. */
    private static boolean notApplicable(String finding) {
        String f = finding.toLowerCase(java.util.Locale.ROOT);
        return f.contains("not applicable") || f.contains("no http") || f.contains("not tested");
    }

    /** The IANA suite names (TLS_...) in a finding line. */
    private static List<String> ianaNames(String finding) {
        List<String> names = new ArrayList<>();
        for (String token : finding.split("[\\s,]+")) {
            if (token.startsWith("TLS_")) {
                names.add(token);
            }
        }
        return names;
    }

    static boolean forwardSecretAead(String suite) {
        if (List.of(
                        "TLS_AES_256_GCM_SHA384",
                        "TLS_AES_128_GCM_SHA256",
                        "TLS_CHACHA20_POLY1305_SHA256",
                        "TLS_AES_128_CCM_SHA256")
                .contains(suite)) {
            return true;
        }
        return suite.startsWith("TLS_ECDHE_")
                && (suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_"))
                && !suite.contains("CBC");
    }

    private static void collectFindings(Object node, List<Map<String, String>> out) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("id") instanceof String && map.containsKey("finding")) {
                Map<String, String> f = new LinkedHashMap<>();
                map.forEach((k, v) -> f.put(String.valueOf(k), String.valueOf(v)));
                out.add(f);
            }
            map.values().forEach(v -> collectFindings(v, out));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectFindings(v, out));
        }
    }

    // ---- helpers

    private MinaListener start(ListenerConfig config) throws Exception {
        return listeners.start(ListenerSettings.from(config), name -> new Pop3Ish());
    }

    /**
     * A listener config with the annotation defaults (the shipped ones) but a test port, certificate
     * and limits loose enough for testssl's hundreds of connections.
     */
    private ListenerConfig config(String tls) {
        return config(values(tls));
    }

    private Map<String, Object> values(String tls) {
        Path dir = tmp.getRoot().toPath().resolve("tls");
        Map<String, Object> values = new HashMap<>(Map.of(
                "name",
                "test",
                "protocol",
                "pop3",
                "host",
                "127.0.0.1",
                "port",
                0,
                "tls",
                tls,
                "idleTimeoutSeconds",
                30,
                "tls_certificate",
                dir.resolve("server.crt").toString(),
                "tls_privateKey",
                dir.resolve("server.key").toString(),
                "tls_selfSigned",
                true));
        values.put("maxConnectionsPerIp", 1000);
        values.put("maxConnectionRatePerIp", 1_000_000);
        return values;
    }

    static ListenerConfig config(Map<String, Object> values) {
        ListenerConfigValues config = new ListenerConfigValues();
        values.forEach(config::set);
        return config.config();
    }

    /** Just enough POP3 for testssl's --starttls pop3: greeting, CAPA, STLS, QUIT. */
    private static final class Pop3Ish implements Protocol {
        @Override
        public ProtocolSession open(Connection connection) {
            connection.send("+OK test ready");
            return new ProtocolSession() {
                @Override
                public void onLine(byte[] bytes) {
                    String line =
                            new String(bytes, StandardCharsets.US_ASCII).trim().toUpperCase(java.util.Locale.ROOT);
                    if (line.equals("STLS") && !connection.isSecure()) {
                        connection.startTls("+OK begin TLS");
                    } else if (line.equals("CAPA")) {
                        connection.send(connection.isSecure() ? "+OK\r\nUSER\r\n." : "+OK\r\nSTLS\r\nUSER\r\n.");
                    } else if (line.equals("QUIT")) {
                        connection.close("+OK bye");
                    } else {
                        connection.send("-ERR unknown command");
                    }
                }

                @Override
                public void onLineTooLong() {
                    connection.send("-ERR line too long");
                }

                @Override
                public void onIdle() {
                    connection.close("-ERR idle");
                }

                @Override
                public void onClosed() {}
            };
        }

        @Override
        public String refusal(String reason) {
            return "-ERR [SYS/TEMP] " + reason;
        }
    }

    /** A minimal JSON reader for testssl's output: objects, arrays, strings, numbers, literals. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                i++;
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return map;
                }
                do {
                    skip();
                    String key = string();
                    skip();
                    expect(':');
                    map.put(key, value());
                    skip();
                } while (s.charAt(i++) == ',');
                assertEquals("JSON object end at " + (i - 1), '}', s.charAt(i - 1));
                return map;
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return list;
                }
                do {
                    list.add(value());
                    skip();
                } while (s.charAt(i++) == ',');
                assertEquals("JSON array end at " + (i - 1), ']', s.charAt(i - 1));
                return list;
            }
            if (c == '"') {
                return string();
            }
            int start = i;
            while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return s.substring(start, i);
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                fail("JSON: expected " + c + " at " + i + ": " + s.substring(i, Math.min(s.length(), i + 40)));
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
