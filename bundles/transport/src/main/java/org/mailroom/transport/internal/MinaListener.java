package org.mailroom.transport.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.mailroom.api.protocol.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bound port: a Mina acceptor, the worker pool that runs protocol logic, and the connection
 * limits. {@link #reconfigure} applies new settings in place (rebinding only when the address
 * changes); {@link #close} releases the port, the sessions and every thread.
 */
final class MinaListener {

    private static final Logger LOG = LoggerFactory.getLogger(MinaListener.class);
    private static final AttributeKey CONNECTION = new AttributeKey(MinaListener.class, "connection");
    private static final AttributeKey COUNTED_ADDRESS = new AttributeKey(MinaListener.class, "address");

    private final Function<String, Protocol> protocols;
    private final NioSocketAcceptor acceptor;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService scheduler;
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile ListenerSettings settings;
    private volatile TlsContextSource tls;
    private InetSocketAddress bound;

    MinaListener(ListenerSettings settings, Function<String, Protocol> protocols)
            throws IOException, GeneralSecurityException {
        this.settings = settings;
        this.protocols = protocols;
        this.tls = settings.tls() == TlsMode.NONE ? null : new TlsContextSource(settings.tlsSettings(), settings.name());
        String name = settings.name();
        this.workers = new ThreadPoolExecutor(settings.workerThreads(), settings.workerThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("mailroom-" + name + "-worker"));
        this.workers.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, threads("mailroom-" + name + "-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        this.acceptor = new NioSocketAcceptor(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
        acceptor.setReuseAddress(true);
        acceptor.setCloseOnDeactivation(false);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        acceptor.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, settings.idleTimeoutSeconds());
        acceptor.setHandler(new Handler());
        try {
            bind(settings.address());
        } catch (IOException | RuntimeException e) {
            close("");
            throw e;
        }
    }

    private void bind(InetSocketAddress address) throws IOException {
        acceptor.bind(address);
        bound = acceptor.getLocalAddress();
        LOG.info("Listener {} ({}{}) bound to {}", settings.name(), settings.protocol(),
                settings.tls() == TlsMode.NONE ? "" : ", TLS " + settings.tls().name().toLowerCase(), bound);
    }

    /** The address actually bound (the real port when the configured one is 0). */
    InetSocketAddress boundAddress() {
        return bound;
    }

    ListenerSettings settings() {
        return settings;
    }

    int openConnections() {
        return open.get();
    }

    /** Applies new settings in place; existing connections stay open. */
    synchronized void reconfigure(ListenerSettings next) throws IOException, GeneralSecurityException {
        ListenerSettings previous = settings;
        TlsContextSource nextTls = tls;
        if (next.tls() == TlsMode.NONE) {
            nextTls = null;
        } else if (tls == null || !tls.settings().equals(next.tlsSettings())) {
            nextTls = new TlsContextSource(next.tlsSettings(), next.name());
        }
        if (!next.address().equals(previous.address())) {
            InetSocketAddress old = bound;
            acceptor.unbind(old);
            try {
                bind(next.address());
            } catch (IOException | RuntimeException e) {
                LOG.error("Listener {}: cannot bind {} ({}); staying on {}", next.name(), next.address(), e, old);
                bind(old);
                throw e;
            }
        }
        tls = nextTls;
        settings = next;
        if (next.workerThreads() > workers.getMaximumPoolSize()) {
            workers.setMaximumPoolSize(next.workerThreads());
            workers.setCorePoolSize(next.workerThreads());
        } else {
            workers.setCorePoolSize(next.workerThreads());
            workers.setMaximumPoolSize(next.workerThreads());
        }
        acceptor.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, next.idleTimeoutSeconds());
        for (IoSession session : acceptor.getManagedSessions().values()) {
            session.getConfig().setIdleTime(IdleStatus.BOTH_IDLE, next.idleTimeoutSeconds());
        }
        LOG.info("Listener {} reconfigured", next.name());
    }

    /** Unbinds, closes every connection (sending {@code reply} where it can), stops all threads. */
    synchronized void close(String reply) {
        try {
            acceptor.unbind();
        } catch (RuntimeException e) {
            LOG.debug("unbind", e);
        }
        for (IoSession session : acceptor.getManagedSessions().values()) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection != null && reply != null && !reply.isEmpty()) {
                connection.close(reply);
            } else {
                session.closeNow();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!acceptor.getManagedSessions().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (IoSession session : acceptor.getManagedSessions().values()) {
            session.closeNow();
        }
        acceptor.dispose(true);
        scheduler.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        LOG.info("Listener {} closed", settings.name());
    }

    ExecutorService workers() {
        return workers;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    TlsContextSource tls() {
        return tls;
    }

    SslFilter newSslFilter(TlsContextSource source) {
        // Mina's SslFilter applies the enabled protocols and suites to each SSLEngine it creates but has
        // no setting for the suite order, so the engine is adjusted after Mina made it: the server picks
        // the first of its suites (tls.cipherSuites order) that the client offers.
        SslFilter filter = new SslFilter(source.current()) {
            @Override
            protected javax.net.ssl.SSLEngine createEngine(IoSession session, InetSocketAddress peer) {
                javax.net.ssl.SSLEngine engine = super.createEngine(session, peer);
                javax.net.ssl.SSLParameters parameters = engine.getSSLParameters();
                parameters.setUseCipherSuitesOrder(true);
                engine.setSSLParameters(parameters);
                return engine;
            }
        };
        filter.setEnabledProtocols(source.protocols().toArray(new String[0]));
        filter.setEnabledCipherSuites(source.cipherSuites());
        return filter;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private final class Handler extends IoHandlerAdapter {

        @Override
        public void sessionCreated(IoSession session) {
            ListenerSettings s = settings;
            InetSocketAddress remote = (InetSocketAddress) session.getRemoteAddress();
            if (s.tls() == TlsMode.IMPLICIT && tls != null) {
                session.getFilterChain().addFirst("tls", newSslFilter(tls));
            }
            InetAddress address = remote.getAddress();
            int total = open.incrementAndGet();
            int fromAddress = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            session.setAttribute(COUNTED_ADDRESS, address);
            String refusal = null;
            if (total > s.maxConnections()) {
                refusal = "too many connections";
            } else if (fromAddress > s.maxConnectionsPerIp()) {
                refusal = "too many connections from your address";
            }
            if (refusal != null) {
                LOG.warn("Listener {}: refusing {}: {}", s.name(), remote, refusal);
                Protocol protocol = protocols.apply(s.protocol());
                String reply = protocol != null ? protocol.refusal(refusal) : s.unavailableReplyOrDefault();
                session.write(IoBuffer.wrap((reply + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                session.closeOnFlush();
                return;
            }
            session.setAttribute(CONNECTION, new MinaConnection(session, MinaListener.this, s));
        }

        @Override
        public void sessionOpened(IoSession session) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection == null) {
                return;
            }
            Protocol protocol = protocols.apply(connection.settingsProtocol());
            if (protocol == null) {
                LOG.warn("Listener {}: no bundle serves protocol {} right now", settings.name(), settings.protocol());
                session.removeAttribute(CONNECTION);
                session.write(IoBuffer.wrap((settings.unavailableReplyOrDefault() + "\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                session.closeOnFlush();
                return;
            }
            connection.opened(protocol);
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection != null && message instanceof IoBuffer buffer) {
                connection.received(buffer);
            }
        }

        @Override
        public void sessionIdle(IoSession session, IdleStatus status) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection != null) {
                connection.idle();
            } else {
                session.closeNow();
            }
        }

        @Override
        public void sessionClosed(IoSession session) {
            InetAddress address = (InetAddress) session.removeAttribute(COUNTED_ADDRESS);
            if (address != null) {
                open.decrementAndGet();
                perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection != null) {
                connection.sessionClosed();
            }
        }

        @Override
        public void inputClosed(IoSession session) {
            session.closeNow();
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            if (cause instanceof IOException) {
                LOG.debug("Listener {}: connection {}: {}", settings.name(), session.getRemoteAddress(), cause.toString());
            } else {
                LOG.warn("Listener {}: connection {} failed", settings.name(), session.getRemoteAddress(), cause);
            }
            session.closeNow();
        }
    }
}
