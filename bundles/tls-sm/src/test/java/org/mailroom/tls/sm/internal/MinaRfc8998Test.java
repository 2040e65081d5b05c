package org.mailroom.tls.sm.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * The engine driven by Mina's SslFilter over real sockets, against Bouncy Castle's blocking TLS
 * client; once with each of Mina's SSL handlers (G0, the default, and G1, the non-blocking
 * pipeline).
 */
@RunWith(Parameterized.class)
public class MinaRfc8998Test {

    private static final int TIMEOUT_SECONDS = 30;

    @ClassRule
    public static final TemporaryFolder DIR = new TemporaryFolder();

    private static SmCredentials credentials;
    private static byte[] certificate;

    @Parameters(name = "nonBlockingPipeline={0}")
    public static List<Object[]> pipelines() {
        return List.of(new Object[] {false}, new Object[] {true});
    }

    private final boolean nonBlockingPipeline;
    private NioSocketAcceptor acceptor;
    private final List<Rfc8998Engine> engines = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Throwable> serverErrors = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<IoSession> closedSessions = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<SSLSession> securedSessions = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private int port;

    public MinaRfc8998Test(boolean nonBlockingPipeline) {
        this.nonBlockingPipeline = nonBlockingPipeline;
    }

    private static synchronized void credentials() throws Exception {
        if (credentials == null) {
            SmTestFiles files = SmTestFiles.create(DIR.getRoot(), "mina");
            credentials = SmCredentials.load(files.key, files.cert);
            certificate = SmTestFiles.certificateDer(files.cert);
        }
    }

    /** Echoes what it receives; on "QUIT\n" at the end of what came so far, closes TLS and the connection. */
    private final class EchoHandler extends IoHandlerAdapter {
        @Override
        public void messageReceived(IoSession session, Object message) {
            IoBuffer in = (IoBuffer) message;
            byte[] bytes = new byte[in.remaining()];
            in.get(bytes);
            session.write(IoBuffer.wrap(bytes));
            String tail = new String(bytes, StandardCharsets.ISO_8859_1);
            if (tail.endsWith("QUIT\n")) {
                // removing the SslFilter sends close_notify after what was written
                session.getFilterChain().remove("tls");
                session.closeOnFlush();
            }
        }

        @Override
        public void event(IoSession session, org.apache.mina.filter.FilterEvent event) {
            if (event == SslEvent.SECURED) {
                securedSessions.add((SSLSession) session.getAttribute(SslFilter.SSL_SECURED));
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            serverErrors.add(cause);
            session.closeOnFlush();
        }

        @Override
        public void sessionClosed(IoSession session) {
            closedSessions.add(session);
        }
    }

    @Before
    public void start() throws Exception {
        credentials();
        acceptor = new NioSocketAcceptor(2);
        Rfc8998SslFilter tls = new Rfc8998SslFilter((session, peer) -> {
            Rfc8998Engine engine = new Rfc8998Engine(credentials, peer.getHostString(), peer.getPort());
            engines.add(engine);
            return engine;
        });
        tls.setUseNonBlockingPipeline(nonBlockingPipeline);
        acceptor.getFilterChain().addLast("tls", tls);
        acceptor.setHandler(new EchoHandler());
        acceptor.bind(new InetSocketAddress("127.0.0.1", 0));
        port = acceptor.getLocalAddress().getPort();
    }

    @After
    public void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (acceptor != null) {
            acceptor.unbind();
            acceptor.dispose(true);
        }
    }

    private TlsClientProtocol connect(SmTestClient client) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        sockets.add(socket);
        socket.setSoTimeout(TIMEOUT_SECONDS * 1000);
        TlsClientProtocol protocol = new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
        protocol.connect(client);
        return protocol;
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        assertEquals("bytes echoed before EOF", n, b.length);
        return b;
    }

    @Test
    public void handshakeEchoAndBigPayload() throws Exception {
        SmTestClient client = SmTestClient.rfc8998(certificate);
        TlsClientProtocol tls = connect(client);
        assertEquals(CipherSuite.TLS_SM4_GCM_SM3, client.selectedCipherSuite());
        assertArrayEquals(certificate, client.serverCertificate);

        OutputStream out = tls.getOutputStream();
        InputStream in = tls.getInputStream();
        byte[] line = "hello over SM4\n".getBytes(StandardCharsets.US_ASCII);
        out.write(line);
        out.flush();
        assertArrayEquals(line, readExactly(in, line.length));

        SSLSession session = securedSessions.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue("SslEvent.SECURED with the session", session != null);
        assertEquals("TLSv1.3", session.getProtocol());
        assertEquals("TLS_SM4_GCM_SM3", session.getCipherSuite());
        assertEquals("127.0.0.1", session.getPeerHost());

        byte[] payload = new byte[300 * 1024];
        new Random(42).nextBytes(payload);
        // written while read, so that neither side's socket buffers fill up
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> written = writer.submit(() -> {
                out.write(payload);
                out.flush();
                return null;
            });
            assertArrayEquals(payload, readExactly(in, payload.length));
            written.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
        }

        // the server closes: its close_notify ends the client's stream cleanly (-1, not TlsNoCloseNotifyException)
        byte[] quit = "QUIT\n".getBytes(StandardCharsets.US_ASCII);
        out.write(quit);
        out.flush();
        assertArrayEquals(quit, readExactly(in, quit.length));
        assertEquals("close_notify from the server", -1, in.read());
        assertTrue("server session closed", closedSessions.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS) != null);
        assertTrue("server engine outbound done", engines.get(0).isOutboundDone());
        tls.close();
        assertEquals("no server errors", List.of(), new ArrayList<>(serverErrors));
    }

    @Test
    public void clientCloseNotifyReachesTheServer() throws Exception {
        TlsClientProtocol tls = connect(SmTestClient.rfc8998(certificate));
        tls.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
        readExactly(tls.getInputStream(), 2);
        tls.close(); // close_notify, then the socket
        assertTrue("server session closed", closedSessions.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS) != null);
        Rfc8998Engine engine = engines.get(0);
        assertTrue(engine.isCloseNotifyReceived());
        assertTrue(engine.isInboundDone());
    }

    @Test
    public void clientWithoutSmSuiteGetsHandshakeFailure() throws Exception {
        try {
            connect(new SmTestClient(new int[] {CipherSuite.TLS_AES_128_GCM_SHA256}, certificate));
            fail("handshake should fail");
        } catch (TlsFatalAlertReceived e) {
            assertEquals(AlertDescription.handshake_failure, e.getAlertDescription());
        }
        assertTrue("server session closed", closedSessions.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS) != null);
        Throwable error = serverErrors.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue("handler saw " + error, error instanceof SSLHandshakeException);
        assertTrue(error.getMessage(), error.getMessage().contains("does not offer"));
    }

    @Test
    public void twentyConcurrentClients() throws Exception {
        int clients = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    go.await();
                    SmTestClient client = SmTestClient.rfc8998(certificate);
                    TlsClientProtocol tls = connect(client);
                    assertEquals(CipherSuite.TLS_SM4_GCM_SM3, client.selectedCipherSuite());
                    byte[] message = new byte[20000 + n];
                    new Random(n).nextBytes(message);
                    tls.getOutputStream().write(message);
                    byte[] echoed = readExactly(tls.getInputStream(), message.length);
                    assertArrayEquals(message, echoed);
                    tls.close();
                    return echoed;
                }));
            }
            go.countDown();
            for (Future<byte[]> result : results) {
                result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            for (int i = 0; i < clients; i++) {
                assertTrue("server sessions closed", closedSessions.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS) != null);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(20, engines.size());
        assertEquals("no server errors", List.of(), new ArrayList<>(serverErrors));
    }
}
