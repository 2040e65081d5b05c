package org.mailroom.tls.sm.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLProtocolException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.mailroom.api.tls.ClientHello;
import org.mailroom.api.tls.MalformedClientHelloException;

/**
 * A server-mode {@link SSLEngine} that speaks RFC 8998 (TLS 1.3 with TLS_SM4_GCM_SM3 or
 * TLS_SM4_CCM_SM3, sm2sig_sm3, curveSM2), which neither the JDK nor Bouncy Castle's JSSE provider
 * can. It drives Bouncy Castle's non-blocking {@link TlsServerProtocol}: {@link #unwrap} hands it
 * one whole TLS record at a time and moves the decrypted application data out, {@link #wrap}
 * hands it application data and moves the records it produced out, whole records only.
 *
 * <p>The statuses follow the JDK engine, which is what Mina's SslFilter is written against:
 * BUFFER_UNDERFLOW (nothing consumed) until a whole record is there, BUFFER_OVERFLOW (nothing
 * lost) when the destination cannot take the next record or its plaintext, NEED_WRAP while
 * records are pending, FINISHED exactly once, in the result of the call that completes the
 * handshake, and a fatal error thrown from unwrap after its alert was queued for wrap. There are
 * no delegated tasks, no client mode, no client authentication, no session resumption and no
 * early data.
 */
public final class Rfc8998Engine extends SSLEngine {

    /** Largest TLS 1.3 record on the wire: header, 2^14 plaintext + content type, up to 255 more. */
    static final int MAX_RECORD = 5 + 16384 + 256;

    /** Same as the JDK engine's; Mina sizes its network buffers from it. */
    static final int PACKET_BUFFER_SIZE = 16709;

    static final int APPLICATION_BUFFER_SIZE = 16704;

    /** Header, content type and GCM/CCM tag that TLS 1.3 adds to a record's plaintext. */
    private static final int RECORD_OVERHEAD = 5 + 1 + 16;

    private static final int MAX_PLAINTEXT = 16384;
    private static final String PROTOCOL = "TLSv1.3";

    private final TlsServerProtocol protocol = new TlsServerProtocol();
    private final BcTlsCrypto crypto;
    private final SmCredentials credentials;
    private final Rfc8998Session session = new Rfc8998Session();

    private Rfc8998Server server;
    private Set<String> enabledSuites;
    private Set<String> enabledProtocols = new LinkedHashSet<>(List.of(PROTOCOL));
    private boolean needClientAuth;
    private boolean wantClientAuth;
    private boolean enableSessionCreation = true;

    /** Records produced by the protocol, not yet handed out by wrap: out[outStart, outEnd). */
    private byte[] out = new byte[2 * PACKET_BUFFER_SIZE];

    private int outStart;
    private int outEnd;

    private boolean started;
    private boolean finishedReported;
    private boolean inboundDone;
    private boolean outboundClosed;
    private boolean failed;

    /** The client's first records, kept until the ClientHello in them is parsed. */
    private ByteArrayOutputStream helloRecords = new ByteArrayOutputStream();

    private ClientHello clientHello;
    private String helloProblem;

    /** An engine for a connection from an unknown peer. */
    public Rfc8998Engine(SmCredentials credentials) {
        this(credentials, null, -1);
    }

    /** An engine for a connection from {@code peerHost}:{@code peerPort}, with its own SecureRandom. */
    public Rfc8998Engine(SmCredentials credentials, String peerHost, int peerPort) {
        this(credentials, new BcTlsCrypto(new SecureRandom()), peerHost, peerPort);
    }

    /** @param crypto may be shared between engines (BcTlsCrypto is stateless but for its SecureRandom) */
    public Rfc8998Engine(SmCredentials credentials, BcTlsCrypto crypto, String peerHost, int peerPort) {
        super(peerHost, peerPort);
        if (credentials == null || crypto == null) {
            throw new NullPointerException(credentials == null ? "credentials" : "crypto");
        }
        this.credentials = credentials;
        this.crypto = crypto;
        this.enabledSuites = new LinkedHashSet<>(Arrays.asList(getSupportedCipherSuites()));
    }

    // ---- handshake ------------------------------------------------------------------------

    @Override
    public synchronized void beginHandshake() throws SSLException {
        if (failed || inboundDone || outboundClosed) {
            throw new SSLException("engine is closed");
        }
        start();
    }

    private void start() throws SSLException {
        if (started) {
            return;
        }
        started = true;
        int[] suites = enabledProtocols.contains(PROTOCOL)
                ? Arrays.stream(Rfc8998Server.implementedSuites(crypto))
                        .filter(s -> enabledSuites.contains(suiteName(s)))
                        .toArray()
                : new int[0];
        server = new Rfc8998Server(crypto, credentials, suites);
        try {
            protocol.accept(server);
        } catch (IOException e) {
            failed = true;
            throw (SSLException)
                    new SSLHandshakeException("cannot start the RFC 8998 handshake: " + e.getMessage()).initCause(e);
        }
        takeProtocolOutput();
    }

    @Override
    public synchronized HandshakeStatus getHandshakeStatus() {
        if (outPending()) {
            return HandshakeStatus.NEED_WRAP;
        }
        if (!started || failed || inboundDone || outboundClosed || server.isHandshakeComplete()) {
            return HandshakeStatus.NOT_HANDSHAKING;
        }
        return HandshakeStatus.NEED_UNWRAP;
    }

    /** The status a wrap or unwrap result reports: FINISHED once, when the handshake is complete and flushed. */
    private HandshakeStatus resultHandshakeStatus() {
        if (!outPending() && started && !failed && server.isHandshakeComplete() && !finishedReported) {
            finishedReported = true;
            return HandshakeStatus.FINISHED;
        }
        return getHandshakeStatus();
    }

    @Override
    public Runnable getDelegatedTask() {
        return null;
    }

    // ---- unwrap ---------------------------------------------------------------------------

    @Override
    public synchronized SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
            throws SSLException {
        checkBuffers(dsts, offset, length);
        if (!started && !inboundDone && !outboundClosed) {
            start();
        }
        int produced = deliverApplicationData(dsts, offset, length);
        if (inboundDone || failed || !started) {
            return result(produced > 0 ? Status.OK : Status.CLOSED, 0, produced);
        }
        if (protocol.getAvailableInputBytes() > 0) {
            // decrypted data still waiting for room in dsts
            return result(produced > 0 ? Status.OK : Status.BUFFER_OVERFLOW, 0, produced);
        }
        if (src.remaining() < 5) {
            return result(produced > 0 ? Status.OK : Status.BUFFER_UNDERFLOW, 0, produced);
        }
        int p = src.position();
        int type = src.get(p) & 0xFF;
        int major = src.get(p + 1) & 0xFF;
        int recordLength = 5 + (((src.get(p + 3) & 0xFF) << 8) | (src.get(p + 4) & 0xFF));
        if (type < 20 || type > 24 || major != 3 || recordLength > MAX_RECORD) {
            // not a TLS record: let the protocol see the header, so that it sends its alert
            return offer(src, 5, true, dsts, offset, length, produced);
        }
        if (src.remaining() < recordLength) {
            return result(produced > 0 ? Status.OK : Status.BUFFER_UNDERFLOW, 0, produced);
        }
        if (protocol.isClosed()) {
            // we closed first: Bouncy Castle closes both directions, so the peer's answer (its
            // close_notify, or data it sent before it saw ours) cannot be read any more
            src.position(src.position() + recordLength);
            inboundDone = true;
            return result(Status.CLOSED, recordLength, produced);
        }
        if (server.isHandshakeComplete() && type == 23) {
            int room = remaining(dsts, offset, length);
            if (room < Math.min(recordLength - RECORD_OVERHEAD, MAX_PLAINTEXT)) {
                return result(produced > 0 ? Status.OK : Status.BUFFER_OVERFLOW, 0, produced);
            }
        }
        return offer(src, recordLength, false, dsts, offset, length, produced);
    }

    private SSLEngineResult offer(
            ByteBuffer src, int count, boolean badHeader, ByteBuffer[] dsts, int offset, int length, int produced)
            throws SSLException {
        int type = src.get(src.position()) & 0xFF;
        int major = src.get(src.position() + 1) & 0xFF;
        byte[] record = new byte[count];
        src.get(record);
        noteHelloRecord(record);
        try {
            protocol.offerInput(record);
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
        takeProtocolOutput();
        if (badHeader || protocol.isFailed()) {
            throw fail(new SSLProtocolException(
                    "not a TLS record (content type " + type + ", version byte " + major + ")"));
        }
        produced += deliverApplicationData(dsts, offset, length);
        if (server.isCloseNotifyReceived()) {
            inboundDone = true;
            if (protocol.isClosed()) {
                outboundClosed = true;
            }
            return result(Status.CLOSED, count, produced);
        }
        return result(Status.OK, count, produced);
    }

    private SSLException fail(Exception cause) {
        failed = true;
        inboundDone = true;
        takeProtocolOutput(); // the fatal alert the protocol raised, for wrap to send
        boolean handshaking = server == null || !server.isHandshakeComplete();
        StringBuilder message =
                new StringBuilder(handshaking ? "RFC 8998 handshake failed: " : "TLS connection failed: ");
        message.append(server != null && server.failure() != null ? server.failure() : String.valueOf(cause));
        if (handshaking && clientHello != null && !Rfc8998Server.offeredBy(clientHello)) {
            message.append("; the client does not offer TLS 1.3 with TLS_SM4_GCM_SM3 and sm2sig_sm3 (it offers ")
                    .append(clientHello.describe())
                    .append(')');
        } else if (handshaking && helloProblem != null) {
            message.append("; ").append(helloProblem);
        }
        SSLException e = handshaking
                ? new SSLHandshakeException(message.toString())
                : new SSLProtocolException(message.toString());
        e.initCause(cause);
        return e;
    }

    private void noteHelloRecord(byte[] record) {
        if (helloRecords == null) {
            return;
        }
        helloRecords.write(record, 0, record.length);
        try {
            ClientHello parsed = ClientHello.parse(ByteBuffer.wrap(helloRecords.toByteArray()));
            if (parsed != null) {
                clientHello = parsed;
                helloRecords = null;
            }
        } catch (MalformedClientHelloException e) {
            helloProblem = e.getMessage();
            helloRecords = null;
        }
    }

    /** The client's ClientHello, once it has arrived whole; null before (or if it was malformed). */
    public synchronized ClientHello getClientHello() {
        return clientHello;
    }

    private int deliverApplicationData(ByteBuffer[] dsts, int offset, int length) {
        int produced = 0;
        for (int i = offset; i < offset + length && protocol.getAvailableInputBytes() > 0; i++) {
            int n = Math.min(dsts[i].remaining(), protocol.getAvailableInputBytes());
            if (n > 0) {
                produced += protocol.readInput(dsts[i], n);
            }
        }
        return produced;
    }

    // ---- wrap -----------------------------------------------------------------------------

    @Override
    public synchronized SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
            throws SSLException {
        checkBuffers(srcs, offset, length);
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (!started && !inboundDone && !outboundClosed) {
            start();
        }
        int produced = handOut(dst);
        if (outPending()) {
            return result(produced > 0 ? Status.OK : Status.BUFFER_OVERFLOW, 0, produced);
        }
        if (failed || outboundClosed || protocol.isClosed()) {
            return result(Status.CLOSED, 0, produced);
        }
        int available = remaining(srcs, offset, length);
        if (!server.isHandshakeComplete() || available == 0) {
            return result(Status.OK, 0, produced);
        }
        int chunk = Math.min(Math.min(available, MAX_PLAINTEXT), Math.max(0, protocol.getApplicationDataLimit()));
        chunk = Math.min(chunk, dst.remaining() - RECORD_OVERHEAD);
        if (chunk <= 0) {
            return result(produced > 0 ? Status.OK : Status.BUFFER_OVERFLOW, 0, produced);
        }
        byte[] plain = new byte[chunk];
        int filled = 0;
        for (int i = offset; i < offset + length && filled < chunk; i++) {
            int n = Math.min(srcs[i].remaining(), chunk - filled);
            srcs[i].get(plain, filled, n);
            filled += n;
        }
        try {
            protocol.writeApplicationData(plain, 0, chunk);
        } catch (IOException | RuntimeException e) {
            failed = true;
            takeProtocolOutput();
            throw (SSLException) new SSLException("cannot encrypt: " + e.getMessage()).initCause(e);
        }
        takeProtocolOutput();
        produced += handOut(dst);
        return result(Status.OK, chunk, produced);
    }

    /** Moves whatever the protocol has written into our queue of outgoing records. */
    private void takeProtocolOutput() {
        int n = protocol.getAvailableOutputBytes();
        if (n <= 0) {
            return;
        }
        if (outStart > 0 && out.length - outEnd < n) {
            System.arraycopy(out, outStart, out, 0, outEnd - outStart);
            outEnd -= outStart;
            outStart = 0;
        }
        if (out.length - outEnd < n) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outEnd + n));
        }
        outEnd += protocol.readOutput(out, outEnd, n);
    }

    /** Copies whole pending records into dst while they fit. */
    private int handOut(ByteBuffer dst) {
        int produced = 0;
        while (outStart < outEnd) {
            int pending = outEnd - outStart;
            int record = pending < 5
                    ? pending
                    : Math.min(pending, 5 + (((out[outStart + 3] & 0xFF) << 8) | (out[outStart + 4] & 0xFF)));
            if (dst.remaining() < record) {
                break;
            }
            dst.put(out, outStart, record);
            outStart += record;
            produced += record;
        }
        if (outStart == outEnd) {
            outStart = 0;
            outEnd = 0;
        }
        return produced;
    }

    private boolean outPending() {
        return outStart < outEnd;
    }

    private SSLEngineResult result(Status status, int consumed, int produced) {
        return new SSLEngineResult(status, resultHandshakeStatus(), consumed, produced);
    }

    private static int remaining(ByteBuffer[] buffers, int offset, int length) {
        long sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += buffers[i].remaining();
        }
        return (int) Math.min(Integer.MAX_VALUE, sum);
    }

    private static void checkBuffers(ByteBuffer[] buffers, int offset, int length) {
        if (buffers == null) {
            throw new IllegalArgumentException("null buffers");
        }
        if (offset < 0 || length < 0 || offset > buffers.length - length) {
            throw new IndexOutOfBoundsException();
        }
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i] == null) {
                throw new IllegalArgumentException("null buffer at " + i);
            }
        }
    }

    // ---- closure --------------------------------------------------------------------------

    @Override
    public synchronized void closeInbound() throws SSLException {
        if (inboundDone) {
            return;
        }
        inboundDone = true;
        if (started && !failed && !outboundClosed && server.isHandshakeComplete() && !server.isCloseNotifyReceived()) {
            throw new SSLException("inbound closed before the peer's close_notify: possible truncation attack");
        }
    }

    @Override
    public synchronized boolean isInboundDone() {
        return inboundDone;
    }

    /** Queues a close_notify (after the handshake) for wrap to send. */
    @Override
    public synchronized void closeOutbound() {
        if (outboundClosed) {
            return;
        }
        outboundClosed = true;
        if (started && !failed && !protocol.isClosed()) {
            try {
                protocol.close();
            } catch (IOException e) {
                // nothing more can be sent; isOutboundDone turns true once what was queued is out
            }
            takeProtocolOutput();
        }
    }

    @Override
    public synchronized boolean isOutboundDone() {
        return (outboundClosed || failed || (started && protocol.isClosed())) && !outPending();
    }

    /** True once the peer's close_notify arrived. */
    public synchronized boolean isCloseNotifyReceived() {
        return server != null && server.isCloseNotifyReceived();
    }

    // ---- configuration --------------------------------------------------------------------

    @Override
    public String[] getSupportedCipherSuites() {
        int[] suites = Rfc8998Server.implementedSuites(crypto);
        String[] names = new String[suites.length];
        for (int i = 0; i < suites.length; i++) {
            names[i] = suiteName(suites[i]);
        }
        return names;
    }

    @Override
    public synchronized String[] getEnabledCipherSuites() {
        return enabledSuites.toArray(new String[0]);
    }

    @Override
    public synchronized void setEnabledCipherSuites(String[] suites) {
        List<String> supported = Arrays.asList(getSupportedCipherSuites());
        Set<String> enabled = new LinkedHashSet<>();
        for (String suite : suites) {
            if (!supported.contains(suite)) {
                throw new IllegalArgumentException("unsupported cipher suite " + suite + "; supported: " + supported);
            }
            enabled.add(suite);
        }
        enabledSuites = enabled;
    }

    @Override
    public String[] getSupportedProtocols() {
        return new String[] {PROTOCOL};
    }

    @Override
    public synchronized String[] getEnabledProtocols() {
        return enabledProtocols.toArray(new String[0]);
    }

    @Override
    public synchronized void setEnabledProtocols(String[] protocols) {
        Set<String> enabled = new LinkedHashSet<>();
        for (String p : protocols) {
            if (!PROTOCOL.equals(p)) {
                throw new IllegalArgumentException("unsupported protocol " + p + "; only " + PROTOCOL);
            }
            enabled.add(p);
        }
        enabledProtocols = enabled;
    }

    @Override
    public void setUseClientMode(boolean mode) {
        if (mode) {
            throw new UnsupportedOperationException("the RFC 8998 engine is server-only");
        }
    }

    @Override
    public boolean getUseClientMode() {
        return false;
    }

    /** Accepted for compatibility; client certificates are not requested. */
    @Override
    public synchronized void setNeedClientAuth(boolean need) {
        needClientAuth = need;
    }

    @Override
    public synchronized boolean getNeedClientAuth() {
        return needClientAuth;
    }

    /** Accepted for compatibility; client certificates are not requested. */
    @Override
    public synchronized void setWantClientAuth(boolean want) {
        wantClientAuth = want;
    }

    @Override
    public synchronized boolean getWantClientAuth() {
        return wantClientAuth;
    }

    @Override
    public synchronized void setEnableSessionCreation(boolean flag) {
        enableSessionCreation = flag;
    }

    @Override
    public synchronized boolean getEnableSessionCreation() {
        return enableSessionCreation;
    }

    @Override
    public SSLSession getSession() {
        return session;
    }

    @Override
    public synchronized SSLSession getHandshakeSession() {
        return started && !failed && !server.isHandshakeComplete() ? session : null;
    }

    @Override
    public synchronized String getApplicationProtocol() {
        return started && server.isHandshakeComplete() ? "" : null;
    }

    @Override
    public synchronized String getHandshakeApplicationProtocol() {
        return getHandshakeSession() != null ? "" : null;
    }

    static String suiteName(int suite) {
        return switch (suite) {
            case CipherSuite.TLS_SM4_GCM_SM3 -> "TLS_SM4_GCM_SM3";
            case CipherSuite.TLS_SM4_CCM_SM3 -> "TLS_SM4_CCM_SM3";
            default -> String.format("0x%04X", suite);
        };
    }

    private synchronized boolean negotiated() {
        return started && !failed && server.isHandshakeComplete();
    }

    /** The connection's session: what was negotiated, once the handshake is complete. */
    private final class Rfc8998Session implements SSLSession {
        private final long creationTime = System.currentTimeMillis();
        private final byte[] id = new byte[32];
        private final Map<String, Object> values = new ConcurrentHashMap<>();
        private volatile boolean valid = true;
        private volatile Certificate[] localCertificates;

        Rfc8998Session() {
            new SecureRandom().nextBytes(id);
        }

        @Override
        public byte[] getId() {
            return id.clone();
        }

        @Override
        public SSLSessionContext getSessionContext() {
            return null;
        }

        @Override
        public long getCreationTime() {
            return creationTime;
        }

        @Override
        public long getLastAccessedTime() {
            return creationTime;
        }

        @Override
        public void invalidate() {
            valid = false;
        }

        @Override
        public boolean isValid() {
            return valid && negotiated();
        }

        @Override
        public void putValue(String name, Object value) {
            values.put(name, value);
        }

        @Override
        public Object getValue(String name) {
            return values.get(name);
        }

        @Override
        public void removeValue(String name) {
            values.remove(name);
        }

        @Override
        public String[] getValueNames() {
            return values.keySet().toArray(new String[0]);
        }

        @Override
        public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
            throw new SSLPeerUnverifiedException("no client authentication");
        }

        @Override
        public Certificate[] getLocalCertificates() {
            Certificate[] certificates = localCertificates;
            if (certificates == null) {
                try {
                    // the JDK's factory cannot read SM2 keys; a BC provider instance can (never installed)
                    CertificateFactory factory = CertificateFactory.getInstance("X.509", BcProvider.INSTANCE);
                    List<Certificate> list = new ArrayList<>();
                    for (byte[] der : credentials.chain()) {
                        list.add(factory.generateCertificate(new ByteArrayInputStream(der)));
                    }
                    certificates = list.toArray(new Certificate[0]);
                    localCertificates = certificates;
                } catch (CertificateException e) {
                    return null;
                }
            }
            return certificates.clone();
        }

        @Override
        public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
            throw new SSLPeerUnverifiedException("no client authentication");
        }

        @Override
        public Principal getLocalPrincipal() {
            Certificate[] local = getLocalCertificates();
            return local != null && local.length > 0 && local[0] instanceof X509Certificate x509
                    ? x509.getSubjectX500Principal()
                    : null;
        }

        @Override
        public String getCipherSuite() {
            synchronized (Rfc8998Engine.this) {
                return negotiated() ? suiteName(server.selectedCipherSuite()) : "SSL_NULL_WITH_NULL_NULL";
            }
        }

        @Override
        public String getProtocol() {
            return negotiated() ? PROTOCOL : "NONE";
        }

        @Override
        public String getPeerHost() {
            return Rfc8998Engine.this.getPeerHost();
        }

        @Override
        public int getPeerPort() {
            return Rfc8998Engine.this.getPeerPort();
        }

        @Override
        public int getPacketBufferSize() {
            return PACKET_BUFFER_SIZE;
        }

        @Override
        public int getApplicationBufferSize() {
            return APPLICATION_BUFFER_SIZE;
        }

        @Override
        public String toString() {
            return "Rfc8998Session[" + getProtocol() + ", " + getCipherSuite() + "]";
        }
    }

    /** Made on first use: creating a BouncyCastleProvider takes a while. */
    private static final class BcProvider {
        static final java.security.Provider INSTANCE = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }
}
