package org.mailroom.api.tls;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLEngine;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A TLS implementation beside the JDK's, for clients the JDK cannot serve (e.g. RFC 8998 with
 * SM2 certificates). On a listener with TLS the transport reads each connection's ClientHello
 * first and asks the registered providers, highest {@code service.ranking} first, whether they
 * serve it; the first that does makes the connection's engine, and without one the JDK's TLS
 * serves it as usual. A provider is looked up per connection: installing, updating or removing
 * one changes new connections only.
 *
 * <p>Registered as an OSGi service with {@link #NAME}.
 *
 * @since 1.0
 */
@ConsumerType
public interface TlsEngineProvider {

    /** Service property: the provider's name, for logs and target filters (e.g. {@code rfc8998}). */
    String NAME = "mailroom.tls.engine.name";

    /**
     * Whether this provider serves a client that sent this ClientHello on this listener. Must be
     * quick and must not block: it runs on the transport's I/O thread.
     *
     * @param listener the listener's name (its {@code name} setting)
     */
    boolean serves(ClientHello hello, String listener);

    /**
     * A new server-mode engine for one connection that {@link #serves} accepted. The transport
     * drives it as it drives the JDK's (Mina's SslFilter), starting with the records the
     * ClientHello came in, so it must behave as a JDK {@code SSLEngine} does: statuses, buffer
     * sizes, handshake status, close.
     *
     * @param peer the client's address
     */
    SSLEngine newServerEngine(InetSocketAddress peer, String listener);
}
