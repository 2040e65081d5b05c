package org.mailroom.transport.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.filter.ssl.DisableEncryptWriteRequest;
import org.apache.mina.filter.ssl.SslFilter;

/**
 * Mina's SslFilter around an engine a {@link org.mailroom.api.tls.TlsEngineProvider} made,
 * instead of one from the listener's SSLContext. The provider configured the engine; this filter
 * only hands it to Mina.
 *
 * <p>One addition: when unwrap throws (a failed handshake, a bad record), Mina passes the
 * exception on without wrapping again, so the fatal alert the engine queued would never be sent.
 * This filter sends it (a finished TLS record, so Mina lets it through unencrypted), closes the
 * session once it is written, and rethrows, so that the handler still sees the exception.
 */
final class ProviderSslFilter extends SslFilter {

    private final SSLEngine engine;

    ProviderSslFilter(SSLEngine engine) {
        super(unusedContext());
        this.engine = engine;
    }

    private static SSLContext unusedContext() {
        // SslFilter wants a context; only its createEngine, which is replaced, would use it.
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected SSLEngine createEngine(IoSession session, InetSocketAddress peer) {
        return engine;
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        try {
            super.messageReceived(next, session, message);
        } catch (SSLException e) {
            sendPendingRecords(next, session);
            session.closeOnFlush();
            throw e;
        }
    }

    private void sendPendingRecords(NextFilter next, IoSession session) {
        ByteBuffer records = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        try {
            while (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
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
