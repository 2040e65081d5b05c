package org.mailroom.tls.sm.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.filter.ssl.DisableEncryptWriteRequest;
import org.apache.mina.filter.ssl.SslFilter;

/**
 * Mina's SslFilter with an {@link Rfc8998Engine} per session instead of an engine from an
 * SSLContext.
 *
 * <p>One addition: when unwrap throws (a failed handshake, a bad record), Mina's handler passes
 * the exception on without wrapping again, so the fatal alert the engine queued would never be
 * sent. This filter sends it, unencrypted by Mina since it is a finished TLS record, closes the
 * session once it is written, and then rethrows, so that the IoHandler still sees the exception.
 */
/** Test helper: the transport's ProviderSslFilter, per session, for driving the engine with Mina alone. */
public class Rfc8998SslFilter extends SslFilter {

    /** The session's engine. */
    public static final AttributeKey ENGINE = new AttributeKey(Rfc8998SslFilter.class, "engine");

    private final BiFunction<IoSession, InetSocketAddress, Rfc8998Engine> engines;

    /** @param engines makes the engine for a session and its peer address (which may be null) */
    public Rfc8998SslFilter(BiFunction<IoSession, InetSocketAddress, Rfc8998Engine> engines) {
        super(unusedContext());
        this.engines = engines;
    }

    /** An engine per session from these credentials. */
    public Rfc8998SslFilter(SmCredentials credentials) {
        this((session, peer) -> peer == null
                ? new Rfc8998Engine(credentials)
                : new Rfc8998Engine(credentials, peer.getHostString(), peer.getPort()));
    }

    private static SSLContext unusedContext() {
        // SslFilter wants a context; only its createEngine, which we replace, would use it
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected SSLEngine createEngine(IoSession session, InetSocketAddress peer) {
        Rfc8998Engine engine = engines.apply(session, peer);
        if (enabledCipherSuites != null) {
            engine.setEnabledCipherSuites(enabledCipherSuites);
        }
        if (enabledProtocols != null) {
            engine.setEnabledProtocols(enabledProtocols);
        }
        engine.setNeedClientAuth(needClientAuth);
        engine.setWantClientAuth(wantClientAuth);
        session.setAttribute(ENGINE, engine);
        return engine;
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        try {
            super.messageReceived(next, session, message);
        } catch (SSLException e) {
            Object engine = session.getAttribute(ENGINE);
            if (engine instanceof Rfc8998Engine rfc8998) {
                sendPendingRecords(next, session, rfc8998);
                session.closeOnFlush();
            }
            throw e;
        }
    }

    private static void sendPendingRecords(NextFilter next, IoSession session, Rfc8998Engine engine) {
        ByteBuffer records = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        try {
            while (engine.getHandshakeStatus() == javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                if (engine.wrap(ByteBuffer.allocate(0), records).bytesProduced() == 0) {
                    break;
                }
            }
        } catch (SSLException e) {
            // nothing (more) to send
        }
        records.flip();
        if (records.hasRemaining()) {
            next.filterWrite(session, new RecordWriteRequest(IoBuffer.wrap(records)));
        }
    }

    /** Already TLS records: SslFilter lets a DisableEncryptWriteRequest through as it is. */
    private static final class RecordWriteRequest extends DefaultWriteRequest implements DisableEncryptWriteRequest {
        RecordWriteRequest(IoBuffer records) {
            super(records);
        }
    }
}
