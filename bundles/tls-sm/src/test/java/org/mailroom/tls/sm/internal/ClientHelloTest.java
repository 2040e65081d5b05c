package org.mailroom.tls.sm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.TlsClientProtocol;
import org.junit.Test;
import org.mailroom.api.tls.ClientHello;
import org.mailroom.api.tls.MalformedClientHelloException;

public class ClientHelloTest {

    private static ByteBuffer jdkClientHello() throws Exception {
        SSLEngine client = SSLContext.getDefault().createSSLEngine("mail.example.org", 465);
        client.setUseClientMode(true);
        ByteBuffer net = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        client.wrap(ByteBuffer.allocate(0), net);
        net.flip();
        return net;
    }

    private static byte[] bcClientHello() throws Exception {
        TlsClientProtocol client = new TlsClientProtocol();
        client.connect(SmTestClient.rfc8998(null));
        byte[] hello = new byte[client.getAvailableOutputBytes()];
        client.readOutput(hello, 0, hello.length);
        return hello;
    }

    @Test
    public void parsesAJdkClientHello() throws Exception {
        ByteBuffer net = jdkClientHello();
        int position = net.position();
        int limit = net.limit();
        ClientHello hello = ClientHello.parse(net);
        assertNotNull(hello);
        assertEquals("buffer untouched", position, net.position());
        assertEquals(limit, net.limit());
        assertEquals(0x0303, hello.legacyVersion());
        assertTrue(hello.supportedVersions().contains(0x0304));
        assertTrue(hello.cipherSuites().contains(0x1301)); // TLS_AES_128_GCM_SHA256
        assertTrue(hello.signatureAlgorithms().contains(0x0403)); // ecdsa_secp256r1_sha256
        assertTrue(hello.supportedGroups().contains(NamedGroup.x25519));
        assertEquals("mail.example.org", hello.serverName());
        assertFalse(Rfc8998Server.offeredBy(hello));
    }

    @Test
    public void parsesABouncyCastleRfc8998ClientHello() throws Exception {
        ClientHello hello = ClientHello.parse(ByteBuffer.wrap(bcClientHello()));
        assertNotNull(hello);
        assertEquals(java.util.List.of(0x0304), hello.supportedVersions());
        assertTrue(hello.cipherSuites().contains(0x00C6));
        assertEquals(java.util.List.of(0x0708), hello.signatureAlgorithms());
        assertEquals(java.util.List.of(NamedGroup.curveSM2), hello.supportedGroups());
        assertEquals("localhost", hello.serverName());
        assertTrue(Rfc8998Server.offeredBy(hello));
    }

    /** The same handshake message re-cut into 7-byte records, arriving a byte at a time. */
    @Test
    public void fragmentedOverRecordsAndReads() throws Exception {
        byte[] record = bcClientHello();
        byte[] message = java.util.Arrays.copyOfRange(record, 5, record.length);
        ByteArrayOutputStream fragmented = new ByteArrayOutputStream();
        for (int i = 0; i < message.length; i += 7) {
            int n = Math.min(7, message.length - i);
            fragmented.write(new byte[] {22, 3, 1, 0, (byte) n});
            fragmented.write(message, i, n);
        }
        byte[] wire = fragmented.toByteArray();
        ByteBuffer buffer = ByteBuffer.allocate(wire.length);
        for (int i = 0; i < wire.length - 1; i++) {
            buffer.put(wire[i]);
            buffer.flip();
            assertNull("need more bytes after " + (i + 1), ClientHello.parse(buffer));
            buffer.compact();
        }
        buffer.put(wire[wire.length - 1]);
        buffer.flip();
        ClientHello hello = ClientHello.parse(buffer);
        assertNotNull(hello);
        assertTrue(Rfc8998Server.offeredBy(hello));
        assertEquals(wire.length, buffer.remaining());
    }

    @Test
    public void rejectsGarbage() {
        assertMalformed("EHLO example.org\r\n".getBytes(StandardCharsets.US_ASCII), "not a TLS handshake record");
        assertMalformed(new byte[] {23, 3, 3, 0, 2, 1, 2}, "content type 23");
        assertMalformed(new byte[] {22, 3, 3, 0, 4, 2, 0, 0, 0}, "not a ClientHello");
        assertMalformed(new byte[] {22, 3, 3, 0, 4, 1, 1, 0, 1}, "exceeds");
        // a ClientHello whose cipher_suites length overruns it
        assertMalformed(new byte[] {22, 3, 3, 0, 9, 1, 0, 0, 5, 3, 3, 0, 0, 0}, "overruns");
    }

    private static void assertMalformed(byte[] bytes, String expected) {
        try {
            ClientHello.parse(ByteBuffer.wrap(bytes));
            fail("accepted " + java.util.Arrays.toString(bytes));
        } catch (MalformedClientHelloException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(expected));
        }
    }
}
