package org.mailroom.transport.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.api.protocol.ProtocolSession;
import org.mailroom.testing.FreePorts;
import org.mailroom.testing.Poll;
import org.mailroom.testing.TrustAll;

/** The transport over real sockets, with a tiny line protocol made for the test. */
public class MinaListenerTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public final Listeners listeners = new Listeners();

    private final AtomicReference<Protocol> protocol = new AtomicReference<>(new TestProtocol());

    // ---- lines, pipelining and streaming

    @Test(timeout = 30_000)
    public void pipelinedCommandsAreAnsweredInOrderAroundAStream() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client c = Client.plain(listener)) {
            assertEquals("+OK test ready", c.line());
            c.write("ECHO a\r\nECHO b\nSTREAM 3000000\r\nECHO c\r\n");
            assertEquals("a", c.line());
            assertEquals("b", c.line());
            byte[] body = c.bytes(3_000_000);
            assertArrayEquals(pattern(3_000_000), body);
            assertEquals("c", c.line());
        }
    }

    /** The thread name a command runs on starts with this (see {@code dispatch}). */
    String commandThreadPrefix() {
        return "mailroom-test-worker-";
    }

    @Test(timeout = 30_000)
    public void commandsRunWhereTheDispatchSettingSays() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client c = Client.plain(listener)) {
            assertEquals("+OK test ready", c.line());
            for (int i = 0; i < 3; i++) {
                c.write("THREAD\r\n");
                String thread = c.line();
                assertTrue(thread, thread.startsWith(commandThreadPrefix()));
            }
        }
    }

    @Test(timeout = 30_000)
    public void aSlowReaderDoesNotStallOtherConnections() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client slow = Client.plain(listener);
                Client fast = Client.plain(listener)) {
            slow.line();
            slow.write("STREAM 50000000\r\n");
            fast.line();
            long started = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                fast.write("ECHO " + i + "\r\n");
                assertEquals(Integer.toString(i), fast.line());
            }
            assertTrue("fast client answered within 5 s", System.nanoTime() - started < 5_000_000_000L);
        }
    }

    @Test(timeout = 30_000)
    public void anOverlongLineIsReportedAndTheConnectionGoesOn() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("ECHO " + "x".repeat(5000) + "\r\nECHO ok\r\n");
            assertEquals("-ERR too long", c.line());
            assertEquals("ok", c.line());
            c.write("ECHO " + "y".repeat(2000) + "\r\n");
            assertEquals("y".repeat(2000), c.line());
        }
    }

    @Test(timeout = 30_000)
    public void inCrlfOnlyModeABareLfOrCrStaysInTheLine() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("ECHO a\nECHO b\r\nCRLFONLY\r\nECHO c\nd\re\r\nECHO f\r");
            assertEquals("a", c.line());
            assertEquals("b", c.line());
            assertEquals("crlf only", c.line());
            assertEquals("c<LF>d<CR>e", c.line());
            c.write("\nECHO " + "x".repeat(5000) + "\n.\r");
            assertEquals("the CRLF split across two reads ends the line", "f", c.line());
            c.write("\nECHO g\r\nANYEOL\r\nECHO h\n");
            assertEquals("an overlong line ends only at CRLF", "-ERR too long", c.line());
            assertEquals("g", c.line());
            assertEquals("any line end", c.line());
            assertEquals("h", c.line());
        }
    }

    @Test(timeout = 30_000)
    public void readOctetsHandsRawBytesToTheSinkThenLinesResume() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client c = Client.plain(listener)) {
            c.line();
            String raw = "line\r\n.\r\nbare\nQUIT\r\n\r";
            c.write("RAW " + raw.length() + "\r\n" + raw + "ECHO after\r\nRAW 0\r\n");
            assertEquals("raw " + raw.length() + " " + crc(raw.getBytes(StandardCharsets.US_ASCII)), c.line());
            assertEquals("after", c.line());
            assertEquals("raw 0 0", c.line());

            byte[] big = pattern(3_000_000);
            big[1_000_000] = '\n';
            c.write("RAW " + big.length + "\r\n");
            c.socket.getOutputStream().write(big);
            c.write("ECHO next\r\n");
            assertEquals("raw " + big.length + " " + crc(big), c.line());
            assertEquals("next", c.line());
        }
    }

    @Test(timeout = 30_000)
    public void aFailingSinkGetsTheRestDroppedAndTheContinuationTheError() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("RAWFAIL 100000\r\n" + "z".repeat(100_000) + "ECHO still in step\r\n");
            assertEquals("rawfail disk full", c.line());
            assertEquals("still in step", c.line());
        }
    }

    @Test
    public void ioFailuresWrappedByMinaAreNetworkEventsAndOurBugsAreNot() {
        assertTrue(MinaListener.isNetworkEvent(new java.net.SocketException("Connection reset")));
        assertTrue(MinaListener.isNetworkEvent(new org.apache.mina.core.RuntimeIoException("closed")));
        assertTrue(MinaListener.isNetworkEvent(
                new IllegalStateException(new javax.net.ssl.SSLHandshakeException("no cipher suites in common"))));
        assertFalse(MinaListener.isNetworkEvent(new NullPointerException()));
    }

    private static String crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return Long.toHexString(crc.getValue());
    }

    @Test(timeout = 30_000)
    public void pauseHoldsInputAndResumes() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("PAUSE 300\r\nECHO after\r\n");
            long started = System.nanoTime();
            assertEquals("resumed", c.line());
            assertTrue(System.nanoTime() - started >= 250_000_000L);
            assertEquals("after", c.line());
        }
    }

    @Test(timeout = 30_000)
    public void idleConnectionsAreClosedAfterTheProtocolSpeaks() throws Exception {
        MinaListener listener =
                start(values(TlsMode.NONE).set("idleTimeoutSeconds", 1).settings());
        try (Client c = Client.plain(listener)) {
            c.line();
            assertEquals("-ERR idle", c.line());
            assertNull(c.lineOrEof());
        }
    }

    @Test(timeout = 30_000)
    public void quitClosesAfterTheFinalReply() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("QUIT\r\n");
            assertEquals("+OK bye", c.line());
            assertNull(c.lineOrEof());
        }
    }

    // ---- limits

    @Test(timeout = 30_000)
    public void connectionsOverThePerAddressLimitAreRefusedWithAProtocolError() throws Exception {
        MinaListener listener = start(values(TlsMode.NONE)
                .set("maxConnections", 10)
                .set("maxConnectionsPerIp", 2)
                .settings());
        Client a = Client.plain(listener);
        Client b = Client.plain(listener);
        assertEquals("+OK test ready", a.line());
        assertEquals("+OK test ready", b.line());
        try (Client c = Client.plain(listener)) {
            assertEquals("-ERR refused: too many connections from your address", c.line());
            assertNull(c.lineOrEof());
        }
        a.write("ECHO still\r\n");
        assertEquals("still", a.line());
        a.close();
        waitFor(() -> listener.openConnections() == 1);
        try (Client d = Client.plain(listener)) {
            assertEquals("+OK test ready", d.line());
        }
        b.close();
    }

    @Test(timeout = 30_000)
    public void withoutAProtocolTheListenerAnswersWithATemporaryError() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        protocol.set(null);
        try (Client c = Client.plain(listener)) {
            assertEquals("-ERR [SYS/TEMP] Service temporarily unavailable, try again later", c.line());
            assertNull(c.lineOrEof());
        }
        protocol.set(new TestProtocol());
        try (Client c = Client.plain(listener)) {
            assertEquals("+OK test ready", c.line());
        }
    }

    // ---- TLS

    @Test(timeout = 60_000)
    public void startTlsUpgradesTheConnectionAndDropsPipelinedPlaintext() throws Exception {
        MinaListener listener = start(settings(TlsMode.STARTTLS));
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("SECURE\r\n");
            assertEquals("false -", c.line());
            c.write("STLS\r\nECHO injected\r\n");
            assertEquals("+OK go", c.line());
            try (Client tls = c.startTls()) {
                tls.write("SECURE\r\n");
                assertEquals("true TLSv1.3", tls.line());
                tls.write("ECHO over tls\r\n");
                assertEquals("over tls", tls.line());
                tls.write("STREAM 1000000\r\n");
                assertArrayEquals(pattern(1_000_000), tls.bytes(1_000_000));
            }
        }
    }

    @Test(timeout = 60_000)
    public void implicitTlsSpeaksOnlyTls12AndNewer() throws Exception {
        MinaListener listener = start(settings(TlsMode.IMPLICIT));
        try (Client c = Client.implicitTls(listener, "TLSv1.3")) {
            assertEquals("+OK test ready", c.line());
            assertEquals("TLSv1.3", ((SSLSocket) c.socket).getSession().getProtocol());
        }
        try (Client c = Client.implicitTls(listener, "TLSv1.2")) {
            assertEquals("+OK test ready", c.line());
            assertEquals("TLSv1.2", ((SSLSocket) c.socket).getSession().getProtocol());
        }
        try (Client c = Client.implicitTls(listener, "TLSv1.1")) {
            c.line();
            fail("TLSv1.1 must be refused");
        } catch (SSLException | IllegalArgumentException expected) {
            // the JDK client may refuse to even offer 1.1; either way no session
        }
    }

    @Test(timeout = 60_000)
    public void aRenewedCertificateIsServedWithoutRestart() throws Exception {
        MinaListener listener = start(settings(TlsMode.IMPLICIT));
        BigInteger first = serverSerial(listener);
        Path cert = tmp.getRoot().toPath().resolve("tls/server.crt");
        Path key = tmp.getRoot().toPath().resolve("tls/server.key");
        SelfSignedCertificate.generate(cert, key);
        FileTime later = FileTime.from(Instant.now().plusSeconds(5));
        Files.setLastModifiedTime(cert, later);
        Files.setLastModifiedTime(key, later);
        waitFor(() -> !first.equals(serverSerialUnchecked(listener)));
        assertNotEquals(first, serverSerial(listener));
    }

    @Test(timeout = 60_000)
    public void aBrokenRenewedCertificateKeepsTheOldOne() throws Exception {
        MinaListener listener = start(settings(TlsMode.IMPLICIT));
        BigInteger first = serverSerial(listener);
        Path cert = tmp.getRoot().toPath().resolve("tls/server.crt");
        Files.writeString(cert, "not a certificate");
        Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
        long until = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < until) {
            assertEquals(first, serverSerial(listener));
        }
    }

    // ---- reconfiguration and shutdown

    @Test(timeout = 30_000)
    public void reconfigureChangesIdleTimeoutInPlaceAndRebindsOnANewPort() throws Exception {
        ListenerConfigValues values = values(TlsMode.NONE);
        MinaListener listener = start(values.settings());
        int oldPort = listener.boundAddress().getPort();
        try (Client open = Client.plain(listener)) {
            open.line();
            listener.reconfigure(values.set("idleTimeoutSeconds", 1).settings());
            assertEquals("-ERR idle", open.line());
        }
        int newPort = freePort();
        listener.reconfigure(
                values.set("idleTimeoutSeconds", 600).set("port", newPort).settings());
        assertEquals(newPort, listener.boundAddress().getPort());
        try (Client c = Client.plain(listener)) {
            assertEquals("+OK test ready", c.line());
        }
        try (ServerSocket reuse = new ServerSocket(oldPort, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertTrue(reuse.isBound());
        }
    }

    @Test(timeout = 30_000)
    public void closeReleasesThePortTheConnectionsAndTheThreads() throws Exception {
        MinaListener listener = start(settings(TlsMode.NONE));
        int port = listener.boundAddress().getPort();
        Client c = Client.plain(listener);
        c.line();
        c.write("ECHO hi\r\n");
        assertEquals("hi", c.line());
        listeners.forget(listener);
        listener.close("-ERR shutting down");
        assertEquals("-ERR shutting down", c.line());
        assertNull(c.lineOrEof());
        c.close();
        try (ServerSocket reuse = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertTrue(reuse.isBound());
        }
        waitFor(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("mailroom-test-")));
    }

    @Test
    public void badSettingsNameTheirKey() {
        ListenerConfigValues values = new ListenerConfigValues();
        values.set("tls", "sometimes");
        try {
            ListenerSettings.from(values.config());
            fail();
        } catch (ConfigException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("tls "));
        }
        values.set("tls", "implicit");
        try {
            ListenerSettings.from(values.config());
            fail();
        } catch (ConfigException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("tls implicit needs"));
        }
        values.set("tls", "none");
        values.set("tls_protocols", new String[] {"TLSv1.1"});
        try {
            ListenerSettings.from(values.config());
            fail();
        } catch (ConfigException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("tls.protocols "));
        }
        values.set("tls_protocols", new String[] {"TLSv1.3, TLSv1.2"});
        assertEquals(
                List.of("TLSv1.3", "TLSv1.2"),
                ListenerSettings.from(values.config()).tlsSettings().protocols());
        values.set("port", 70000);
        try {
            ListenerSettings.from(values.config());
            fail();
        } catch (ConfigException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("port "));
        }
        values.set("port", 1110);
        assertEquals(1110, ListenerSettings.from(values.config()).address().getPort());
    }

    // ---- helpers

    private MinaListener start(ListenerSettings settings) throws Exception {
        return listeners.start(settings, name -> protocol.get());
    }

    private ListenerSettings settings(TlsMode mode) {
        return values(mode).settings();
    }

    /** The settings these tests start from: loose limits, a generated certificate for TLS modes. */
    ListenerConfigValues values(TlsMode mode) {
        ListenerConfigValues values = mode == TlsMode.NONE
                ? new ListenerConfigValues()
                : ListenerConfigValues.tls(
                        mode.name().toLowerCase(java.util.Locale.ROOT),
                        tmp.getRoot().toPath().resolve("tls"));
        return values.set("maxLineLength", 4096)
                .set("maxConnections", 100)
                .set("maxConnectionsPerIp", 100)
                .set("workerThreads", 4);
    }

    private static int freePort() {
        return FreePorts.one();
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    private static BigInteger serverSerial(MinaListener listener) throws Exception {
        try (Client c = Client.implicitTls(listener, "TLSv1.3")) {
            c.line();
            return ((X509Certificate) ((SSLSocket) c.socket).getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static BigInteger serverSerialUnchecked(MinaListener listener) {
        try {
            return serverSerial(listener);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        Poll.until("condition", Duration.ofSeconds(15), condition);
    }

    /** ECHO text, STREAM n, STLS, SECURE, PAUSE ms, QUIT. */
    static final class TestProtocol implements Protocol {
        @Override
        public ProtocolSession open(Connection connection) {
            connection.send("+OK test ready");
            return new ProtocolSession() {
                @Override
                public void onLine(byte[] bytes) {
                    String line = new String(bytes, StandardCharsets.UTF_8);
                    if (line.startsWith("ECHO ")) {
                        connection.send(line.substring(5).replace("\r", "<CR>").replace("\n", "<LF>"));
                    } else if (line.equals("THREAD")) {
                        connection.send(Thread.currentThread().getName());
                    } else if (line.startsWith("STREAM ")) {
                        connection.sendStream(new ByteArrayInputStream(pattern(Integer.parseInt(line.substring(7)))));
                    } else if (line.equals("STLS")) {
                        connection.startTls("+OK go");
                    } else if (line.equals("SECURE")) {
                        connection.send(connection.isSecure() + " "
                                + (connection.tlsSession() == null
                                        ? "-"
                                        : connection.tlsSession().getProtocol()));
                    } else if (line.startsWith("PAUSE ")) {
                        connection.pause(
                                Duration.ofMillis(Long.parseLong(line.substring(6))), () -> connection.send("resumed"));
                    } else if (line.startsWith("LOGIN ")) {
                        connection.authenticated(line.substring(6));
                        connection.send("+OK logged in");
                    } else if (line.startsWith("FLOOD ")) {
                        String text = "x".repeat(998);
                        for (int i = Integer.parseInt(line.substring(6)); i > 0; i--) {
                            connection.send(text);
                        }
                    } else if (line.startsWith("AWAIT ")) {
                        connection.await(
                                CompletableFuture.supplyAsync(
                                        () -> "awaited",
                                        CompletableFuture.delayedExecutor(
                                                Long.parseLong(line.substring(6)), TimeUnit.MILLISECONDS)),
                                (value, failure) -> connection.send(value));
                    } else if (line.equals("CRLFONLY")) {
                        connection.setCrlfOnly(true);
                        connection.send("crlf only");
                    } else if (line.equals("ANYEOL")) {
                        connection.setCrlfOnly(false);
                        connection.send("any line end");
                    } else if (line.startsWith("RAW ")) {
                        ByteArrayOutputStream sink = new ByteArrayOutputStream();
                        connection.readOctets(Long.parseLong(line.substring(4)), sink, failure -> {
                            CRC32 crc = new CRC32();
                            crc.update(sink.toByteArray());
                            connection.send("raw " + sink.size() + " " + Long.toHexString(crc.getValue()));
                        });
                    } else if (line.startsWith("RAWFAIL ")) {
                        OutputStream failing = new OutputStream() {
                            @Override
                            public void write(int b) throws IOException {
                                throw new IOException("disk full");
                            }
                        };
                        connection.readOctets(
                                Long.parseLong(line.substring(8)),
                                failing,
                                failure -> connection.send("rawfail " + failure.getMessage()));
                    } else if (line.equals("QUIT")) {
                        connection.close("+OK bye");
                    } else {
                        connection.send("-ERR unknown");
                    }
                }

                @Override
                public void onLineTooLong() {
                    connection.send("-ERR too long");
                }

                @Override
                public void onIdle() {
                    connection.send("-ERR idle");
                }

                @Override
                public void onClosed() {}
            };
        }

        @Override
        public String refusal(String reason) {
            return "-ERR refused: " + reason;
        }
    }

    /** A blocking test client over a plain or TLS socket. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Client(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(20_000);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static Client plain(MinaListener listener) throws IOException {
            return new Client(new Socket("127.0.0.1", listener.boundAddress().getPort()));
        }

        static Client implicitTls(MinaListener listener, String protocol) throws Exception {
            SSLSocket s = (SSLSocket) trustAll()
                    .getSocketFactory()
                    .createSocket("127.0.0.1", listener.boundAddress().getPort());
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            return new Client(s);
        }

        Client startTls() throws Exception {
            SSLSocket s =
                    (SSLSocket) trustAll().getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
            s.startHandshake();
            return new Client(s);
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String line() throws IOException {
            String line = lineOrEof();
            if (line == null) {
                throw new IOException("connection closed");
            }
            return line;
        }

        String lineOrEof() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int c;
            try {
                while ((c = in.read()) != -1) {
                    if (c == '\n') {
                        byte[] b = buf.toByteArray();
                        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                        return new String(b, 0, len, StandardCharsets.UTF_8);
                    }
                    buf.write(c);
                }
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (buf.size() == 0) {
                    return null;
                }
                throw e;
            }
            assertFalse("partial line at EOF: " + buf, buf.size() > 0);
            return null;
        }

        byte[] bytes(int n) throws IOException {
            return in.readNBytes(n);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        static SSLContext trustAll() {
            return TrustAll.context();
        }
    }
}
