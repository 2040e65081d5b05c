package org.mailroom.tls.sm.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The engine driven directly, wrap/unwrap against a non-blocking BC client in memory. */
public class Rfc8998EngineTest {

    @ClassRule
    public static final TemporaryFolder DIR = new TemporaryFolder();

    private static SmCredentials credentials;
    private static byte[] certificate;

    @BeforeClass
    public static void makeCredentials() throws Exception {
        SmTestFiles files = SmTestFiles.create(DIR.getRoot(), "engine");
        credentials = SmCredentials.load(files.key, files.cert);
        certificate = SmTestFiles.certificateDer(files.cert);
    }

    /** Client records not yet given to the engine. */
    private final ByteArrayOutputStream toServer = new ByteArrayOutputStream();

    private static ByteBuffer drainClient(TlsClientProtocol client) {
        byte[] bytes = new byte[client.getAvailableOutputBytes()];
        client.readOutput(bytes, 0, bytes.length);
        return ByteBuffer.wrap(bytes);
    }

    private static ByteBuffer packet() {
        return ByteBuffer.allocate(Rfc8998Engine.PACKET_BUFFER_SIZE);
    }

    private static ByteBuffer app() {
        return ByteBuffer.allocate(Rfc8998Engine.APPLICATION_BUFFER_SIZE);
    }

    /** Wraps until the engine wants no more wrap, handing everything to the client. */
    private static SSLEngineResult wrapAll(Rfc8998Engine engine, TlsClientProtocol client) throws Exception {
        SSLEngineResult last;
        do {
            ByteBuffer net = packet();
            last = engine.wrap(ByteBuffer.allocate(0), net);
            net.flip();
            if (net.hasRemaining()) {
                byte[] b = new byte[net.remaining()];
                net.get(b);
                client.offerInput(b);
            }
        } while (last.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
        return last;
    }

    private Rfc8998Engine handshake(TlsClientProtocol client, SmTestClient peer) throws Exception {
        Rfc8998Engine engine = new Rfc8998Engine(credentials, "127.0.0.1", 4711);
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, engine.getHandshakeStatus());
        engine.beginHandshake();
        assertEquals(HandshakeStatus.NEED_UNWRAP, engine.getHandshakeStatus());
        assertTrue(engine.getHandshakeSession() != null);
        client.connect(peer);

        ByteBuffer hello = drainClient(client);
        // a partial record is an underflow and consumes nothing
        ByteBuffer partial = hello.duplicate();
        partial.limit(3);
        SSLEngineResult r = engine.unwrap(partial, app());
        assertEquals(Status.BUFFER_UNDERFLOW, r.getStatus());
        assertEquals(0, r.bytesConsumed());
        partial.limit(hello.limit() - 1);
        assertEquals(Status.BUFFER_UNDERFLOW, engine.unwrap(partial, app()).getStatus());

        r = engine.unwrap(hello, app());
        assertEquals(Status.OK, r.getStatus());
        assertEquals(HandshakeStatus.NEED_WRAP, r.getHandshakeStatus());
        assertEquals(hello.limit(), r.bytesConsumed());
        assertEquals(HandshakeStatus.NEED_WRAP, engine.getHandshakeStatus());

        // too small a buffer: overflow, nothing lost
        r = engine.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(10));
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus());
        assertEquals(HandshakeStatus.NEED_WRAP, r.getHandshakeStatus());
        assertEquals(0, r.bytesProduced());

        r = wrapAll(engine, client);
        assertEquals(HandshakeStatus.NEED_UNWRAP, r.getHandshakeStatus());
        assertTrue("client handshake complete", peer.handshakeComplete);

        ByteBuffer finished = drainClient(client);
        // the client's flight: a compatibility change_cipher_spec record, then Finished
        do {
            r = engine.unwrap(finished, app());
            assertEquals(Status.OK, r.getStatus());
            assertTrue(r.bytesConsumed() > 0);
        } while (r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP && finished.hasRemaining());
        assertEquals(HandshakeStatus.FINISHED, r.getHandshakeStatus());
        assertFalse(finished.hasRemaining());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, engine.getHandshakeStatus());
        assertNull(engine.getHandshakeSession());
        // FINISHED only once
        assertEquals(
                HandshakeStatus.NOT_HANDSHAKING,
                engine.wrap(ByteBuffer.allocate(0), packet()).getHandshakeStatus());
        return engine;
    }

    @Test
    public void handshakeDataAndCloseWithPinnedStatuses() throws Exception {
        TlsClientProtocol client = new TlsClientProtocol();
        SmTestClient peer = SmTestClient.rfc8998(certificate);
        Rfc8998Engine engine = handshake(client, peer);

        assertEquals("TLSv1.3", engine.getSession().getProtocol());
        assertEquals("TLS_SM4_GCM_SM3", engine.getSession().getCipherSuite());
        assertEquals(CipherSuite.TLS_SM4_GCM_SM3, peer.selectedCipherSuite());
        assertArrayEquals(certificate, peer.serverCertificate);
        assertEquals("127.0.0.1", engine.getSession().getPeerHost());
        assertEquals(4711, engine.getSession().getPeerPort());
        assertTrue(engine.getSession().getPacketBufferSize() >= 16709);
        assertEquals("localhost", engine.getClientHello().serverName());
        assertEquals("CN=localhost", engine.getSession().getLocalPrincipal().getName());

        // client to server, 40000 bytes in three records; a small destination overflows
        byte[] upload = new byte[40000];
        new Random(1).nextBytes(upload);
        client.writeApplicationData(upload, 0, upload.length);
        ByteBuffer net = drainClient(client);
        SSLEngineResult r = engine.unwrap(net, ByteBuffer.allocate(100));
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus());
        assertEquals(0, r.bytesConsumed());
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (net.hasRemaining()) {
            ByteBuffer dst = app();
            r = engine.unwrap(net, dst);
            assertEquals(Status.OK, r.getStatus());
            assertEquals(HandshakeStatus.NOT_HANDSHAKING, r.getHandshakeStatus());
            received.write(dst.array(), 0, dst.position());
        }
        assertArrayEquals(upload, received.toByteArray());

        // server to client, one record per wrap; a small destination overflows
        ByteBuffer download = ByteBuffer.wrap(upload);
        r = engine.wrap(download, ByteBuffer.allocate(22));
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus());
        assertEquals(0, r.bytesConsumed());
        int wraps = 0;
        while (download.hasRemaining()) {
            ByteBuffer dst = packet();
            r = engine.wrap(download, dst);
            assertEquals(Status.OK, r.getStatus());
            dst.flip();
            byte[] b = new byte[dst.remaining()];
            dst.get(b);
            client.offerInput(b);
            wraps++;
        }
        assertEquals(3, wraps);
        byte[] echoed = new byte[client.getAvailableInputBytes()];
        client.readInput(echoed, 0, echoed.length);
        assertArrayEquals(upload, echoed);

        // server closes: close_notify out, then CLOSED
        engine.closeOutbound();
        assertEquals(HandshakeStatus.NEED_WRAP, engine.getHandshakeStatus());
        assertFalse(engine.isOutboundDone());
        r = wrapAll(engine, client);
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(engine.isOutboundDone());
        assertEquals(
                Status.CLOSED, engine.wrap(ByteBuffer.allocate(0), packet()).getStatus());

        // client answers with its close_notify (or has already)
        if (!client.isClosed()) {
            client.close();
        }
        ByteBuffer closing = drainClient(client);
        if (closing.hasRemaining()) {
            r = engine.unwrap(closing, app());
            assertEquals(Status.CLOSED, r.getStatus());
        }
        assertTrue(engine.isInboundDone());
        engine.closeInbound();
    }

    @Test
    public void clientCloseNotifyClosesInbound() throws Exception {
        TlsClientProtocol client = new TlsClientProtocol();
        Rfc8998Engine engine = handshake(client, SmTestClient.rfc8998(certificate));
        client.close();
        SSLEngineResult r = engine.unwrap(drainClient(client), app());
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(engine.isInboundDone());
        assertTrue(engine.isCloseNotifyReceived());
    }

    @Test
    public void clientWithoutSmSuitesGetsHandshakeFailure() throws Exception {
        TlsClientProtocol client = new TlsClientProtocol();
        client.connect(new SmTestClient(new int[] {CipherSuite.TLS_AES_128_GCM_SHA256}, certificate));
        Rfc8998Engine engine = new Rfc8998Engine(credentials);
        try {
            engine.unwrap(drainClient(client), app());
            fail("handshake should fail");
        } catch (SSLHandshakeException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("does not offer"));
        }
        assertTrue(engine.isInboundDone());
        assertEquals(HandshakeStatus.NEED_WRAP, engine.getHandshakeStatus());
        ByteBuffer alert = packet();
        SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), alert);
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(r.bytesProduced() > 0);
        assertTrue(engine.isOutboundDone());
        alert.flip();
        byte[] b = new byte[alert.remaining()];
        alert.get(b);
        try {
            client.offerInput(b);
            fail("client should receive an alert");
        } catch (TlsFatalAlertReceived e) {
            assertEquals(AlertDescription.handshake_failure, e.getAlertDescription());
        }
    }

    @Test
    public void garbageIsAProtocolError() throws Exception {
        Rfc8998Engine engine = new Rfc8998Engine(credentials);
        try {
            engine.unwrap(ByteBuffer.wrap("EHLO example.org\r\n".getBytes()), app());
            fail("plain text is no TLS");
        } catch (javax.net.ssl.SSLException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("handshake failed"));
        }
        assertTrue(engine.isInboundDone());
    }

    @Test
    public void closedBeforeTheHandshake() throws Exception {
        Rfc8998Engine engine = new Rfc8998Engine(credentials);
        engine.closeOutbound();
        assertTrue(engine.isOutboundDone());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, engine.getHandshakeStatus());
        assertEquals(
                Status.CLOSED, engine.wrap(ByteBuffer.allocate(0), packet()).getStatus());
        assertEquals(
                Status.CLOSED, engine.unwrap(ByteBuffer.allocate(10), app()).getStatus());
        engine.closeInbound();
        assertTrue(engine.isInboundDone());
    }

    @Test
    public void clientModeIsUnsupported() {
        Rfc8998Engine engine = new Rfc8998Engine(credentials);
        engine.setUseClientMode(false);
        try {
            engine.setUseClientMode(true);
            fail();
        } catch (UnsupportedOperationException expected) {
            // server only
        }
        assertArrayEquals(new String[] {"TLSv1.3"}, engine.getSupportedProtocols());
        assertTrue(java.util.Arrays.asList(engine.getSupportedCipherSuites()).contains("TLS_SM4_GCM_SM3"));
        assertNull(engine.getDelegatedTask());
    }
}
