package org.mailroom.transport.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilter;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.ssl.DisableEncryptWriteRequest;
import org.mailroom.api.tls.ClientHello;
import org.mailroom.api.tls.MalformedClientHelloException;
import org.mailroom.api.tls.TlsEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first filter of a TLS connection while {@link TlsEngineProvider}s are registered: it keeps
 * what the client sends until its ClientHello is whole, asks the providers (best first) whether
 * one serves it, puts that provider's engine, or else the JDK's, in its place as {@link #TLS},
 * and passes the kept octets on to it. Whatever the server writes meanwhile (a greeting) waits
 * here too, so that nothing leaves the connection unencrypted.
 */
final class TlsSelectFilter extends IoFilterAdapter {

    static final String NAME = "tls-select";
    static final String TLS = "tls";

    private static final Logger LOG = LoggerFactory.getLogger(TlsSelectFilter.class);

    /** Past this much without a whole ClientHello, the octets are the JDK engine's to refuse. */
    private static final int MAX_KEPT = 5 + ClientHello.MAX_LENGTH + 2 * (5 + 16384);

    private final String listener;
    private final List<TlsEngineProvider> providers;
    private final Function<IoSession, IoFilter> jdk;
    private final IoBuffer kept = IoBuffer.allocate(512).setAutoExpand(true);
    private final List<WriteRequest> writes = new ArrayList<>();

    /**
     * @param providers best first, as they were when the connection was accepted
     * @param jdk the JDK's SslFilter for a session
     */
    TlsSelectFilter(String listener, List<TlsEngineProvider> providers, Function<IoSession, IoFilter> jdk) {
        this.listener = listener;
        this.providers = List.copyOf(providers);
        this.jdk = jdk;
    }

    /** Whether the session is still choosing its TLS engine. */
    static boolean selecting(IoSession session) {
        return session.getFilterChain().contains(NAME);
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        if (!(message instanceof IoBuffer buffer)) {
            next.messageReceived(session, message);
            return;
        }
        kept.put(buffer);
        ByteBuffer octets = kept.duplicate().flip().buf();
        IoFilter chosen;
        try {
            ClientHello hello = ClientHello.parse(octets);
            if (hello == null && kept.position() <= MAX_KEPT) {
                return;
            }
            chosen = hello == null ? jdk.apply(session) : choose(session, hello);
        } catch (MalformedClientHelloException e) {
            chosen = jdk.apply(session); // which refuses it the way it refuses any bad handshake
        }
        session.getFilterChain().addFirst(TLS, chosen);
        for (WriteRequest write : writes) {
            next.filterWrite(session, write); // now into the chosen TLS filter
        }
        writes.clear();
        session.getFilterChain().remove(this);
        IoBuffer octetsSoFar = kept.flip();
        session.getFilterChain().fireMessageReceived(octetsSoFar);
    }

    private IoFilter choose(IoSession session, ClientHello hello) {
        InetSocketAddress peer = (InetSocketAddress) session.getRemoteAddress();
        for (TlsEngineProvider provider : providers) {
            try {
                if (provider.serves(hello, listener)) {
                    SSLEngine engine = provider.newServerEngine(peer, listener);
                    return new ProviderSslFilter(engine);
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "Listener {}: TLS engine provider {} failed for {} ({}); the JDK's TLS serves it",
                        listener,
                        provider.getClass().getName(),
                        peer,
                        e.toString());
            }
        }
        return jdk.apply(session);
    }

    @Override
    public void filterWrite(NextFilter next, IoSession session, WriteRequest write) throws Exception {
        if (write instanceof DisableEncryptWriteRequest) {
            next.filterWrite(session, write); // a STARTTLS reply, meant to go out before TLS
        } else {
            writes.add(write);
        }
    }
}
