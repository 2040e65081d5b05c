package org.mailroom.transport.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
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
import java.util.function.Supplier;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.IoService;
import org.apache.mina.core.service.IoServiceListener;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.api.tls.TlsEngineProvider;
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
    private static final AttributeKey REFUSAL = new AttributeKey(MinaListener.class, "refusal");
    private static final AttributeKey REFUSAL_PERMIT = new AttributeKey(MinaListener.class, "refusalPermit");
    private static final AttributeKey DEADLINE = new AttributeKey(MinaListener.class, "deadline");
    private static final long REFUSAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Function<String, Protocol> protocols;
    private final Supplier<List<TlsEngineProvider>> engineProviders;
    private final IoProcessors ioThreads;
    private final NioSocketAcceptor acceptor;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService scheduler;
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final ConnectionRates rates = new ConnectionRates();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusalHandshakes = new AtomicInteger();
    private final QuietLog quiet = new QuietLog(LOG);
    private volatile ListenerSettings settings;
    private volatile TlsContextSource tls;
    private InetSocketAddress bound;

    MinaListener(ListenerSettings settings, Function<String, Protocol> protocols)
            throws IOException, GeneralSecurityException {
        this(settings, protocols, List::of);
    }

    /** @param engineProviders the TLS engine providers registered now, best first */
    MinaListener(
            ListenerSettings settings,
            Function<String, Protocol> protocols,
            Supplier<List<TlsEngineProvider>> engineProviders)
            throws IOException, GeneralSecurityException {
        this.settings = settings;
        this.protocols = protocols;
        this.engineProviders = engineProviders;
        this.tls =
                settings.tls() == TlsMode.NONE ? null : new TlsContextSource(settings.tlsSettings(), settings.name());
        String name = settings.name();
        this.workers = new ThreadPoolExecutor(
                settings.workerThreads(),
                settings.workerThreads(),
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                threads("mailroom-" + name + "-worker"));
        this.workers.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, threads("mailroom-" + name + "-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        this.ioThreads = new IoProcessors(
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
                threads("mailroom-" + name + "-io"));
        this.acceptor = new NioSocketAcceptor(ioThreads);
        acceptor.setReuseAddress(true);
        acceptor.setCloseOnDeactivation(false);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        acceptor.setHandler(new Handler());
        // Released here rather than in the handler's sessionClosed: Mina's SslFilter does not pass
        // sessionClosed on after a failed handshake, but the service always reports the session destroyed.
        acceptor.addListener(new Accounting());
        timer.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        try {
            bind(settings.address());
        } catch (IOException | RuntimeException e) {
            close("");
            throw e;
        }
    }

    private void bind(InetSocketAddress address) throws IOException {
        acceptor.setBacklog(settings.listenBacklog());
        acceptor.bind(address);
        bound = acceptor.getLocalAddress();
        LOG.info(
                "Listener {} ({}{}) bound to {}",
                settings.name(),
                settings.protocol(),
                settings.tls() == TlsMode.NONE
                        ? ""
                        : ", TLS " + settings.tls().name().toLowerCase(),
                bound);
    }

    /** The address actually bound (the real port when the configured one is 0). */
    InetSocketAddress boundAddress() {
        return bound;
    }

    ListenerSettings settings() {
        return settings;
    }

    /** Octets all connections hold in memory (see {@link MinaConnection#bufferedOctets}). */
    long bufferedOctets() {
        long total = 0;
        for (IoSession session : acceptor.getManagedSessions().values()) {
            if (session.getAttribute(CONNECTION) instanceof MinaConnection c) {
                total += c.bufferedOctets();
            }
        }
        return total;
    }

    int backlog() {
        return acceptor.getBacklog();
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
        if (!next.address().equals(previous.address()) || next.listenBacklog() != previous.listenBacklog()) {
            InetSocketAddress old = bound;
            acceptor.unbind(old);
            settings = next;
            try {
                bind(next.address());
            } catch (IOException | RuntimeException e) {
                LOG.error("Listener {}: cannot bind {} ({}); staying on {}", next.name(), next.address(), e, old);
                settings = previous;
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
        ioThreads.dispose();
        scheduler.shutdownNow();
        stop(workers);
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

    /**
     * Starts TLS on a session: the JDK's SslFilter, or while TLS engine providers are registered,
     * a {@link TlsSelectFilter} that picks the engine by the client's ClientHello.
     */
    void addTls(IoSession session, TlsContextSource source) {
        List<TlsEngineProvider> providers = engineProviders.get();
        if (providers.isEmpty()) {
            session.getFilterChain().addFirst(TlsSelectFilter.TLS, newSslFilter(source));
        } else {
            session.getFilterChain()
                    .addFirst(
                            TlsSelectFilter.NAME,
                            new TlsSelectFilter(settings.name(), providers, s -> newSslFilter(source)));
        }
    }

    private SslFilter newSslFilter(TlsContextSource source) {
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

    /** Shuts the threads down, waiting up to 5 s for running tasks. */
    static void stop(ExecutorService threads) {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            threads.shutdownNow();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Closes connections whose login or idle time is up, and refusals that linger, and re-checks
     * each connection's input flow control. Runs every second.
     */
    private void sweep() {
        try {
            long now = System.nanoTime();
            ListenerSettings s = settings;
            for (IoSession session : acceptor.getManagedSessions().values()) {
                MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
                if (connection != null) {
                    connection.recheckFlow();
                    String why = connection.expired(now, s);
                    if (why != null) {
                        quiet.info(
                                "timeout",
                                "Listener {}: closing the connection from {}: {}",
                                s.name(),
                                session.getRemoteAddress(),
                                why);
                        connection.timeOut();
                    }
                } else if (session.getAttribute(DEADLINE) instanceof Long deadline && now - deadline > 0) {
                    session.closeNow();
                }
            }
            rates.forgetIdle(now, s.maxConnectionRatePerIp());
        } catch (RuntimeException e) {
            LOG.warn("Listener {}: sweeping connections failed", settings.name(), e);
        }
    }

    /** Counts every accepted connection once (in sessionCreated) and releases it once, here. */
    private final class Accounting implements IoServiceListener {
        @Override
        public void sessionDestroyed(IoSession session) {
            InetAddress address = (InetAddress) session.removeAttribute(COUNTED_ADDRESS);
            if (address != null) {
                open.decrementAndGet();
                perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
            if (session.removeAttribute(REFUSAL_PERMIT) != null) {
                refusalHandshakes.decrementAndGet();
            }
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection != null) {
                connection.sessionClosed();
            }
        }

        @Override
        public void serviceActivated(IoService service) {}

        @Override
        public void serviceIdle(IoService service, IdleStatus idleStatus) {}

        @Override
        public void serviceDeactivated(IoService service) {}

        @Override
        public void sessionCreated(IoSession session) {}

        @Override
        public void sessionClosed(IoSession session) {}
    }

    private final class Handler extends IoHandlerAdapter {

        @Override
        public void sessionCreated(IoSession session) {
            ListenerSettings s = settings;
            InetSocketAddress remote = (InetSocketAddress) session.getRemoteAddress();
            InetAddress address = remote.getAddress();
            int total = open.incrementAndGet();
            int fromAddress = perAddress
                    .computeIfAbsent(address, a -> new AtomicInteger())
                    .incrementAndGet();
            session.setAttribute(COUNTED_ADDRESS, address);
            String refusal = null;
            if (total > s.maxConnections()) {
                refusal = "too many connections";
            } else if (fromAddress > s.maxConnectionsPerIp()) {
                refusal = "too many connections from your address";
            } else if (!rates.tryAcquire(address, System.nanoTime(), s.maxConnectionRatePerIp())) {
                refusal = "too many new connections from your address, slow down";
            }
            if (refusal != null) {
                refuse(session, s, refusal);
                return;
            }
            if (s.tls() == TlsMode.IMPLICIT && tls != null) {
                addTls(session, tls);
            }
            session.setAttribute(CONNECTION, new MinaConnection(session, MinaListener.this, s));
        }

        /**
         * Tells an over-limit client why it is refused, in its protocol's words; on an implicit-TLS
         * port that takes a handshake, so only a few of those run at once and the rest are closed.
         */
        private void refuse(IoSession session, ListenerSettings s, String reason) {
            session.setAttribute(DEADLINE, System.nanoTime() + REFUSAL_NANOS);
            Protocol protocol = protocols.apply(s.protocol());
            String reply = protocol != null ? protocol.refusal(reason) : s.unavailableReply();
            if (s.tls() == TlsMode.IMPLICIT && tls != null) {
                if (refusalHandshakes.incrementAndGet() > s.maxRefusalHandshakes()) {
                    refusalHandshakes.decrementAndGet();
                    quiet.info(
                            "refused",
                            "Listener {}: refusing {} ({}), closed without a reply: too many refusals at once",
                            s.name(),
                            session.getRemoteAddress(),
                            reason);
                    session.closeNow();
                    return;
                }
                session.setAttribute(REFUSAL_PERMIT, Boolean.TRUE);
                session.setAttribute(REFUSAL, reply);
                addTls(session, tls);
            } else {
                send(session, reply);
            }
            quiet.info("refused", "Listener {}: refusing {}: {}", s.name(), session.getRemoteAddress(), reason);
        }

        private void send(IoSession session, String reply) {
            session.write(IoBuffer.wrap((reply + "\r\n").getBytes(StandardCharsets.UTF_8)));
            session.closeOnFlush();
        }

        @Override
        public void event(IoSession session, FilterEvent event) {
            if (event == SslEvent.SECURED && session.getAttribute(REFUSAL) instanceof String reply) {
                send(session, reply);
            }
        }

        @Override
        public void sessionOpened(IoSession session) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection == null) {
                return;
            }
            Protocol protocol = protocols.apply(connection.settingsProtocol());
            if (protocol == null) {
                quiet.info(
                        "unavailable",
                        "Listener {}: no bundle serves protocol {} right now",
                        settings.name(),
                        settings.protocol());
                session.removeAttribute(CONNECTION);
                session.setAttribute(DEADLINE, System.nanoTime() + REFUSAL_NANOS);
                if (settings.tls() == TlsMode.IMPLICIT) {
                    // Sent once the handshake is done (event below): written now, it would be lost.
                    session.setAttribute(REFUSAL, settings.unavailableReply());
                } else {
                    send(session, settings.unavailableReply());
                }
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
        public void inputClosed(IoSession session) {
            session.closeNow();
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            if (isNetworkEvent(cause) || handshaking(session)) {
                quiet.info(
                        "network",
                        "Listener {}: connection from {} ended: {}",
                        settings.name(),
                        session.getRemoteAddress(),
                        reason(cause));
            } else {
                LOG.warn("Listener {}: connection {} failed", settings.name(), session.getRemoteAddress(), cause);
            }
            session.closeNow();
        }
    }

    /**
     * Whether the connection's TLS handshake has not completed: whatever fails then (a hostile or
     * broken client can make the SSL engine throw unchecked exceptions too) is the client's doing.
     */
    private static boolean handshaking(IoSession session) {
        return TlsSelectFilter.selecting(session)
                || (session.getFilterChain().contains(SslFilter.class)
                        && session.getAttribute(SslFilter.SSL_SECURED) == null);
    }

    /**
     * An I/O failure of the connection (a reset, a broken handshake), also when Mina wraps it in
     * its unchecked RuntimeIoException: logged quietly, not as a fault of ours.
     */
    static boolean isNetworkEvent(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof org.apache.mina.core.RuntimeIoException) {
                return true;
            }
        }
        return false;
    }

    /** The exception's class and message, and those of its root cause, on one line. */
    private static String reason(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (root != cause) {
            text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return text;
    }
}
