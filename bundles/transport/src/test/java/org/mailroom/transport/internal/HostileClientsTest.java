package org.mailroom.transport.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.mailroom.transport.internal.MinaListenerTest.waitFor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.testing.Heap;
import org.mailroom.transport.internal.MinaListenerTest.Client;

/**
 * What an attacker on the network can do to a listener: broken TLS handshakes, replies left
 * unread, connections held open by a trickle of bytes, bursts of new connections. Each test
 * drives real sockets against a real listener and asserts what a well-behaved client still gets.
 */
public class HostileClientsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public final Listeners listeners = new Listeners();

    private MinaListener start(ListenerConfigValues values) throws Exception {
        return listeners.start(adjust(values).settings(), name -> new MinaListenerTest.TestProtocol());
    }

    /** The settings every listener of these tests gets on top of its own (a subclass's dispatch). */
    ListenerConfigValues adjust(ListenerConfigValues values) {
        return values;
    }

    private ListenerConfigValues tls(String mode) {
        return ListenerConfigValues.tls(mode, tmp.getRoot().toPath().resolve("tls"))
                .set("maxConnectionRatePerIp", 1_000_000);
    }

    // ---- connection accounting

    @Test(timeout = 120_000)
    public void thousandsOfBrokenHandshakesReleaseEveryConnectionSlot() throws Exception {
        MinaListener implicit = start(tls("implicit").set("maxConnections", 200).set("maxConnectionsPerIp", 200));
        MinaListener starttls = start(tls("starttls").set("maxConnections", 200).set("maxConnectionsPerIp", 200));
        ExecutorService attackers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                runs.add(attackers.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 250; i++) {
                        brokenHandshake(random.nextBoolean() ? implicit : starttls, random.nextInt(5));
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(100, TimeUnit.SECONDS);
            }
        } finally {
            attackers.shutdownNow();
        }
        // 2,000 broken handshakes against listeners that hold 200 each: a single leaked slot per
        // handshake would have locked both out long ago.
        waitFor(() -> implicit.openConnections() == 0 && starttls.openConnections() == 0);
        try (Client c = Client.implicitTls(implicit, "TLSv1.3")) {
            assertEquals("+OK test ready", c.line());
        }
        try (Client c = Client.plain(starttls)) {
            assertEquals("+OK test ready", c.line());
            c.write("STLS\r\n");
            assertEquals("+OK go", c.line());
            try (Client secure = c.startTls()) {
                secure.write("SECURE\r\n");
                assertTrue(secure.line().startsWith("true TLSv1."));
            }
        }
        waitFor(() -> implicit.openConnections() == 0 && starttls.openConnections() == 0);
    }

    /** One of: a TLS 1.0-only hello, garbage, a reset in the middle of a hello, a hello then silence cut short, a bare close. */
    private static void brokenHandshake(MinaListener listener, int kind) {
        try (Socket s = new Socket("127.0.0.1", listener.boundAddress().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (listener.settings().tls() == TlsMode.STARTTLS) {
                readLine(in);
                out.write("STLS\r\n".getBytes(StandardCharsets.US_ASCII));
                readLine(in);
            }
            byte[] hello = tls10ClientHello();
            switch (kind) {
                case 0 -> {
                    out.write(hello);
                    drain(in);
                }
                case 1 -> {
                    out.write("GET / HTTP/1.0\r\n\r\n\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                            .getBytes(StandardCharsets.US_ASCII));
                    drain(in);
                }
                case 2 -> {
                    out.write(hello, 0, hello.length / 2);
                    s.setSoLinger(true, 0);
                }
                case 3 -> out.write(hello, 0, 5);
                default -> {}
            }
        } catch (IOException expected) {
            // the server closing or resetting a broken handshake is the point
        }
    }

    // ---- bounded memory

    @Test(timeout = 60_000)
    public void aClientThatPipelinesWithoutReadingIsNotReadEither() throws Exception {
        final long limit = 32_000_000;
        MinaListener listener = start(new ListenerConfigValues().set("maxConnectionRatePerIp", 1_000_000));
        long heapBefore = usedHeapAfterGc();
        try (Socket s = new Socket("127.0.0.1", listener.boundAddress().getPort())) {
            s.setReceiveBufferSize(4096);
            s.setSendBufferSize(65536);
            AtomicLong sent = new AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] commands = "ECHO hello there, this reply is never read\r\n"
                        .repeat(1000)
                        .getBytes(StandardCharsets.US_ASCII);
                try {
                    OutputStream out = s.getOutputStream();
                    while (sent.get() < limit) {
                        out.write(commands);
                        sent.addAndGet(commands.length);
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            // The writer blocks once the server stops reading: sent stops growing well short of the
            // limit (what the kernel buffers on both sides hold is a few MB at most).
            long previous = -1;
            for (int i = 0; i < 100 && sent.get() != previous; i++) {
                previous = sent.get();
                Thread.sleep(200);
            }
            assertTrue("the client could send " + sent.get() + " octets", sent.get() < limit);
            long held = listener.bufferedOctets();
            assertTrue("the server holds " + held + " octets for the connection", held < 256 * 1024);
            long growth = usedHeapAfterGc() - heapBefore;
            assertTrue("heap grew by " + growth, growth < 32L * 1024 * 1024);
            s.close();
            writer.join(10_000);
        }
    }

    @Test(timeout = 60_000)
    public void queuedOutputOverTheCapClosesTheConnection() throws Exception {
        MinaListener listener = start(new ListenerConfigValues().set("maxQueuedOutputBytes", 65536));
        try (Socket s = new Socket("127.0.0.1", listener.boundAddress().getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("FLOOD 20000\r\n".getBytes(StandardCharsets.US_ASCII));
            // 20 MB of replies in one go: the connection is closed long before that.
            long got = drain(s.getInputStream());
            assertTrue("read " + got + " octets", got < 10_000_000);
        }
        waitFor(() -> listener.openConnections() == 0);
        try (Client c = Client.plain(listener)) {
            assertEquals("+OK test ready", c.line());
        }
    }

    // ---- timeouts

    @Test(timeout = 30_000)
    public void aTrickleOfBytesDoesNotKeepALoggedInConnectionAlive() throws Exception {
        MinaListener listener = start(new ListenerConfigValues().set("idleTimeoutSeconds", 2));
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("LOGIN joe\r\n");
            assertEquals("+OK logged in", c.line());
            long start = System.nanoTime();
            try {
                for (int i = 0; i < 40; i++) {
                    c.write("E");
                    Thread.sleep(250);
                }
                fail("the connection stayed open for 10 s");
            } catch (SocketException closed) {
                // written into a connection the server closed
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue("closed after " + seconds + " s", seconds >= 1 && seconds <= 6);
        }
    }

    @Test(timeout = 30_000)
    public void commandsWithoutALoginEndAtTheLoginTimeout() throws Exception {
        MinaListener listener = start(new ListenerConfigValues().set("loginTimeoutSeconds", 2));
        try (Client c = Client.plain(listener)) {
            c.line();
            long start = System.nanoTime();
            String line = null;
            for (int i = 0; i < 40; i++) {
                c.write("ECHO still here\r\n");
                line = c.lineOrEof();
                if (!"still here".equals(line)) {
                    break;
                }
                Thread.sleep(250);
            }
            assertEquals("-ERR idle", line);
            assertNull(c.lineOrEof());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue("closed after " + seconds + " s", seconds >= 1 && seconds <= 6);
        }
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("LOGIN joe\r\n");
            assertEquals("+OK logged in", c.line());
            Thread.sleep(3000);
            c.write("ECHO logged in connections live on\r\n");
            assertEquals("logged in connections live on", c.line());
        }
    }

    @Test(timeout = 30_000)
    public void aLongAwaitDoesNotCountAsIdleWhenOutputFollows() throws Exception {
        MinaListener listener = start(new ListenerConfigValues().set("idleTimeoutSeconds", 3));
        try (Client c = Client.plain(listener)) {
            c.line();
            c.write("LOGIN joe\r\nAWAIT 1500\r\nECHO after\r\n");
            assertEquals("+OK logged in", c.line());
            assertEquals("awaited", c.line());
            assertEquals("after", c.line());
        }
    }

    // ---- connection limits

    @Test(timeout = 30_000)
    public void newConnectionsFromOneAddressAreRateLimited() throws Exception {
        MinaListener listener = start(new ListenerConfigValues().set("maxConnectionRatePerIp", 5));
        for (int i = 0; i < 5; i++) {
            try (Client c = Client.plain(listener)) {
                assertEquals("+OK test ready", c.line());
            }
        }
        try (Client c = Client.plain(listener)) {
            assertEquals("-ERR refused: too many new connections from your address, slow down", c.line());
            assertNull(c.lineOrEof());
        }
    }

    @Test(timeout = 60_000)
    public void overTheLimitAnImplicitTlsClientIsToldWhyOverTls() throws Exception {
        MinaListener listener = start(tls("implicit").set("maxConnectionsPerIp", 1));
        try (Client first = Client.implicitTls(listener, "TLSv1.3")) {
            assertEquals("+OK test ready", first.line());
            try (Client second = Client.implicitTls(listener, "TLSv1.2")) {
                assertEquals("-ERR refused: too many connections from your address", second.line());
                assertNull(second.lineOrEof());
                assertTrue(((SSLSocket) second.socket).getSession().isValid());
            }
        }
        waitFor(() -> listener.openConnections() == 0);
    }

    @Test(timeout = 60_000)
    public void refusalHandshakesAreBounded() throws Exception {
        MinaListener listener =
                start(tls("implicit").set("maxConnectionsPerIp", 1).set("maxRefusalHandshakes", 0));
        try (Client first = Client.implicitTls(listener, "TLSv1.3")) {
            assertEquals("+OK test ready", first.line());
            try (Client second = Client.implicitTls(listener, "TLSv1.3")) {
                fail("a refusal handshake ran although none may: " + second.lineOrEof());
            } catch (IOException expected) {
                // closed before the handshake
            }
        }
        waitFor(() -> listener.openConnections() == 0);
    }

    @Test(timeout = 60_000)
    public void theListenBacklogIsConfigurableAndHoldsABurst() throws Exception {
        MinaListener listener = start(new ListenerConfigValues()
                .set("listenBacklog", 2048)
                .set("maxConnections", 1000)
                .set("maxConnectionsPerIp", 1000)
                .set("maxConnectionRatePerIp", 10_000));
        assertEquals(2048, listener.backlog());
        assertEquals(1024, new ListenerConfigValues().settings().listenBacklog());
        List<Socket> burst = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) {
                Socket s = new Socket();
                s.connect(listener.boundAddress(), 5000);
                burst.add(s);
            }
            for (Socket s : burst) {
                s.setSoTimeout(20_000);
                assertEquals("+OK test ready", readLine(s.getInputStream()));
            }
        } finally {
            for (Socket s : burst) {
                s.close();
            }
        }
        waitFor(() -> listener.openConnections() == 0);
    }

    // ---- helpers

    private static long usedHeapAfterGc() {
        return Heap.usedAfterGc();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static long drain(InputStream in) {
        long n = 0;
        byte[] buffer = new byte[65536];
        try {
            int r;
            while ((r = in.read(buffer)) != -1) {
                n += r;
            }
        } catch (IOException e) {
            // reset: the server gave up on the connection
        }
        return n;
    }

    /** A ClientHello that offers only TLS 1.0 and one CBC suite, as an old or probing client sends. */
    static byte[] tls10ClientHello() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(1);
        for (int i = 0; i < 32; i++) {
            body.write(i);
        }
        body.write(0);
        body.writeBytes(new byte[] {0, 2, 0x00, 0x2f});
        body.writeBytes(new byte[] {1, 0});
        byte[] b = body.toByteArray();
        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.writeBytes(new byte[] {1, 0, (byte) (b.length >> 8), (byte) b.length});
        handshake.writeBytes(b);
        byte[] h = handshake.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(new byte[] {0x16, 3, 1, (byte) (h.length >> 8), (byte) h.length});
        record.writeBytes(h);
        return record.toByteArray();
    }
}
