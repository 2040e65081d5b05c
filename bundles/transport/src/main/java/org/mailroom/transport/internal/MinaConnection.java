package org.mailroom.transport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.DefaultWriteFuture;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.filter.ssl.DisableEncryptWriteRequest;
import org.apache.mina.filter.ssl.SslFilter;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.LogText;
import org.mailroom.api.protocol.ProtocolSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Every method that touches its state runs in the connection's
 * {@link SerialExecutor}, so the protocol session sees one callback at a time and no locks are needed.
 *
 * <p>Memory per connection is bounded both ways: input is not read while more than
 * {@link #INPUT_HIGH_WATER} octets wait to be processed, commands are not processed while more
 * than {@link #OUTPUT_HIGH_WATER} octets of replies wait for the client to read them, and a
 * connection whose queued output passes the listener's {@code maxQueuedOutputBytes} is closed.
 */
final class MinaConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(MinaConnection.class);
    private static final int STREAM_CHUNK = 64 * 1024;
    private static final int STREAM_WINDOW = 2;
    private static final int INPUT_HIGH_WATER = 64 * 1024;
    private static final int OUTPUT_HIGH_WATER = 64 * 1024;
    private static final int OUTPUT_LOW_WATER = 16 * 1024;
    private static final int COALESCE_LIMIT = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final Object CLOSE = new Object();

    private final IoSession io;
    private final MinaListener listener;
    private final ListenerSettings settings;
    private final SerialExecutor serial;
    private final LineBuffer input = new LineBuffer();
    private final Deque<Object> outbound = new ArrayDeque<>();
    private final long openedNanos = System.nanoTime();
    private final AtomicLong queuedOutput = new AtomicLong();
    private final AtomicLong unreadInput = new AtomicLong();
    private final AtomicBoolean resumeScheduled = new AtomicBoolean();
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private final AtomicInteger chunksInFlight = new AtomicInteger();
    private final AtomicBoolean pumpWaiting = new AtomicBoolean();
    private volatile long lastActivityNanos = openedNanos;
    private volatile boolean authenticated;
    private volatile boolean outputBlocked;
    private volatile int bufferedInput;
    private ProtocolSession session;
    private CompletionStage<?> awaiting;
    private int maxLineLength;
    private boolean crlfOnly;
    private long rawRemaining;
    private OutputStream rawSink;
    private Consumer<IOException> rawThen;
    private IOException rawFailure;
    private InputStream streaming;
    private String user;
    private byte[] pending;
    private int pendingLength;
    private boolean delaying;
    private boolean closing;
    private boolean closed;

    MinaConnection(IoSession io, MinaListener listener, ListenerSettings settings) {
        this.io = io;
        this.listener = listener;
        this.settings = settings;
        this.serial = new SerialExecutor(listener.workers(), this::flush);
        this.maxLineLength = settings.maxLineLength();
    }

    // ---- events from the I/O threads; each is handed to the serial executor

    void opened(org.mailroom.api.protocol.Protocol protocol) {
        fromIoThread(() -> guarded(() -> session = protocol.open(this)));
    }

    /**
     * Hands work that an I/O thread's event brings (input, a finished write, a closed socket) to the
     * serial executor: run on this I/O thread when the listener dispatches on it, else on a worker.
     */
    private void fromIoThread(Runnable task) {
        if (listener.settings().dispatchOnIoThreads()) {
            serial.executeHere(task);
        } else {
            serial.execute(task);
        }
    }

    void received(IoBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        // Suspended here, on the I/O thread, when the workers fall behind; resumed by flowControl.
        if (unreadInput.addAndGet(bytes.length) > INPUT_HIGH_WATER) {
            io.suspendRead();
        }
        fromIoThread(() -> {
            unreadInput.addAndGet(-bytes.length);
            if (!closed && !closing) {
                input.append(bytes);
                drain();
            }
        });
    }

    /**
     * Why the connection has timed out at {@code now}, or null: no login within the login
     * timeout, or no complete command and no output progress within the idle timeout.
     */
    String expired(long now, ListenerSettings current) {
        if (!authenticated && now - openedNanos > TimeUnit.SECONDS.toNanos(current.loginTimeoutSeconds())) {
            return "no login within " + current.loginTimeoutSeconds() + " s";
        }
        if (now - lastActivityNanos > TimeUnit.SECONDS.toNanos(current.idleTimeoutSeconds())) {
            return "idle for " + current.idleTimeoutSeconds() + " s";
        }
        return null;
    }

    /** Lets the protocol say goodbye, then closes; only the first call counts. */
    void timeOut() {
        if (!timedOut.compareAndSet(false, true)) {
            return;
        }
        serial.execute(() -> {
            if (!closed && !closing && session != null) {
                guarded(session::onIdle);
            }
            close(null);
            // A client that does not read the goodbye is not waited for.
            try {
                listener.scheduler().schedule(() -> io.closeNow(), 5, TimeUnit.SECONDS);
            } catch (RejectedExecutionException listenerClosing) {
                io.closeNow();
            }
        });
    }

    void sessionClosed() {
        fromIoThread(() -> {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(streaming);
            streaming = null;
            rawRemaining = 0;
            rawSink = null;
            rawThen = null;
            for (Object item : outbound) {
                if (item instanceof InputStream in) {
                    closeQuietly(in);
                }
            }
            outbound.clear();
            input.clear();
            if (awaiting != null) {
                // Tells the producer (the login service) that nobody waits for the result any more.
                try {
                    awaiting.toCompletableFuture().cancel(false);
                } catch (UnsupportedOperationException notCancellable) {
                    LOG.debug("an awaited stage cannot be cancelled");
                }
                awaiting = null;
            }
            if (session != null) {
                guarded(session::onClosed);
            }
        });
    }

    /** Octets this connection holds in memory: input not yet processed, replies not yet on the wire. */
    long bufferedOctets() {
        return bufferedInput + unreadInput.get() + queuedOutput.get();
    }

    String settingsProtocol() {
        return settings.protocol();
    }

    // ---- Connection

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) io.getRemoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) io.getLocalAddress();
    }

    @Override
    public boolean isSecure() {
        return io.getAttribute(SslFilter.SSL_SECURED) != null;
    }

    @Override
    public SSLSession tlsSession() {
        return (SSLSession) io.getAttribute(SslFilter.SSL_SECURED);
    }

    @Override
    public boolean isLoopback() {
        InetSocketAddress remote = remoteAddress();
        return remote != null
                && remote.getAddress() != null
                && remote.getAddress().isLoopbackAddress();
    }

    @Override
    public boolean isStartTlsAvailable() {
        return settings.tls() == TlsMode.STARTTLS
                && !io.getFilterChain().contains(SslFilter.class)
                && !TlsSelectFilter.selecting(io)
                && listener.tls() != null;
    }

    @Override
    public void send(String line) {
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[text.length + 2];
        System.arraycopy(text, 0, bytes, 0, text.length);
        System.arraycopy(CRLF, 0, bytes, text.length, 2);
        if (!closed && !queue(bytes.length)) {
            return;
        }
        enqueue(bytes);
    }

    @Override
    public void sendStream(InputStream content) {
        enqueue(content);
    }

    @Override
    public void startTls(String reply) {
        TlsContextSource tls = listener.tls();
        if (!isStartTlsAvailable() || streaming != null || !outbound.isEmpty()) {
            throw new IllegalStateException("STARTTLS is not possible on this connection now");
        }
        // Anything the client pipelined after the command was sent in the clear: drop it (CVE-2011-0411).
        input.clear();
        flush();
        listener.addTls(io, tls);
        byte[] bytes = (reply + "\r\n").getBytes(StandardCharsets.UTF_8);
        io.getFilterChain().fireFilterWrite(new PlainWriteRequest(IoBuffer.wrap(bytes), io));
    }

    @Override
    public void pause(Duration delay, Runnable then) {
        delaying = true;
        try {
            listener.scheduler()
                    .schedule(
                            () -> serial.execute(() -> {
                                delaying = false;
                                if (!closed && !closing) {
                                    guarded(then);
                                    drain();
                                }
                            }),
                            Math.max(0, delay.toMillis()),
                            TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            delaying = false;
            close(null);
        }
    }

    @Override
    public <T> void await(CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> then) {
        delaying = true;
        awaiting = stage;
        stage.whenComplete((value, failure) -> serial.execute(() -> {
            if (awaiting == stage) {
                awaiting = null;
            }
            delaying = false;
            if (!closed && !closing) {
                guarded(() -> then.accept(value, failure));
                drain();
            }
        }));
    }

    @Override
    public void authenticated(String user) {
        this.user = user;
        authenticated = true;
        lastActivityNanos = System.nanoTime();
    }

    @Override
    public int maxLineLength() {
        return maxLineLength;
    }

    @Override
    public void setMaxLineLength(int octets) {
        if (octets < 1) {
            throw new IllegalArgumentException("line length " + octets);
        }
        maxLineLength = octets;
    }

    @Override
    public void setCrlfOnly(boolean crlfOnly) {
        this.crlfOnly = crlfOnly;
    }

    @Override
    public void readOctets(long octets, OutputStream sink, Consumer<IOException> then) {
        if (octets < 0) {
            throw new IllegalArgumentException("octets " + octets);
        }
        if (rawRemaining > 0) {
            throw new IllegalStateException("already reading octets");
        }
        if (octets == 0) {
            then.accept(null);
            return;
        }
        rawRemaining = octets;
        rawSink = sink;
        rawThen = then;
        rawFailure = null;
    }

    @Override
    public void close(String finalReply) {
        if (!serial.inContext()) {
            serial.execute(() -> close(finalReply));
            return;
        }
        if (closing || closed) {
            return;
        }
        if (finalReply != null) {
            send(finalReply);
        }
        closing = true;
        enqueue(CLOSE);
    }

    // ---- internals (serial executor only)

    private void drain() {
        while (!closed && !closing && streaming == null && !delaying && session != null) {
            if (queuedOutput.get() > OUTPUT_HIGH_WATER) {
                // The client is not reading its replies: stop answering until it does.
                outputBlocked = true;
                if (queuedOutput.get() > OUTPUT_HIGH_WATER) {
                    break;
                }
                outputBlocked = false;
            }
            if (rawRemaining > 0) {
                if (input.buffered() == 0) {
                    break;
                }
                readRaw();
                continue;
            }
            LineBuffer.Kind kind = input.next(maxLineLength, crlfOnly);
            if (kind == LineBuffer.Kind.NONE) {
                break;
            }
            lastActivityNanos = System.nanoTime();
            if (kind == LineBuffer.Kind.TOO_LONG) {
                guarded(session::onLineTooLong);
            } else {
                byte[] line = input.line();
                guarded(() -> session.onLine(line));
            }
        }
        flowControl();
    }

    /** Moves buffered input to the sink of {@link #readOctets}; at its last octet, runs its continuation. */
    private void readRaw() {
        byte[] bytes = input.take(rawRemaining);
        rawRemaining -= bytes.length;
        lastActivityNanos = System.nanoTime();
        if (rawFailure == null) {
            try {
                rawSink.write(bytes);
            } catch (IOException e) {
                rawFailure = e;
            }
        }
        if (rawRemaining == 0) {
            Consumer<IOException> then = rawThen;
            IOException failure = rawFailure;
            rawSink = null;
            rawThen = null;
            rawFailure = null;
            guarded(() -> then.accept(failure));
        }
    }

    /**
     * Re-checks input flow control from the listener's sweep: a safety net so that a read
     * suspended by the I/O thread just as the session caught up is resumed within a second.
     */
    void recheckFlow() {
        if (io.isReadSuspended()) {
            serial.execute(() -> {
                if (!closed && !closing) {
                    drain();
                }
            });
        }
    }

    /** Reads while little input waits; stops reading while much does (the session is blocked). */
    private void flowControl() {
        if (closed) {
            return;
        }
        bufferedInput = input.buffered();
        long waiting = bufferedInput + unreadInput.get();
        boolean blocked = streaming != null || delaying || outputBlocked;
        if (waiting > INPUT_HIGH_WATER) {
            if (!io.isReadSuspended()) {
                io.suspendRead();
            }
        } else if ((!blocked || waiting <= INPUT_HIGH_WATER / 4) && io.isReadSuspended()) {
            io.resumeRead();
        }
    }

    /** Counts octets about to be written; closes a connection whose client lets too many pile up. */
    private boolean queue(long octets) {
        long queued = queuedOutput.addAndGet(octets);
        if (queued > listener.settings().maxQueuedOutputBytes()) {
            if (!closing) {
                LOG.info(
                        "Listener {}: closing the connection from {}{}: {} octets of replies not read",
                        settings.name(),
                        remoteAddress(),
                        user == null ? "" : " (" + LogText.of(user) + ")",
                        queued);
            }
            closing = true;
            io.closeNow();
            return false;
        }
        return true;
    }

    /** A write reached the socket: count it off, and go on answering once the client caught up. */
    private void written(long octets) {
        lastActivityNanos = System.nanoTime();
        if (queuedOutput.addAndGet(-octets) <= OUTPUT_LOW_WATER
                && outputBlocked
                && resumeScheduled.compareAndSet(false, true)) {
            fromIoThread(() -> {
                resumeScheduled.set(false);
                outputBlocked = false;
                drain();
            });
        }
    }

    private void enqueue(Object item) {
        if (closed) {
            if (item instanceof InputStream in) {
                closeQuietly(in);
            }
            return;
        }
        if (streaming != null || !outbound.isEmpty()) {
            outbound.add(item);
            return;
        }
        process(item);
    }

    private void process(Object item) {
        if (item instanceof byte[] bytes) {
            coalesce(bytes);
        } else if (item instanceof InputStream in) {
            streaming = in;
            pump();
        } else if (item == CLOSE) {
            flush();
            io.closeOnFlush();
        }
    }

    /**
     * Collects replies so that the replies to a command (a multi-line LIST, the line before a
     * message) leave in one write; {@link #flush} runs at the end of each batch of serial tasks.
     */
    private void coalesce(byte[] bytes) {
        if (pending == null) {
            pending = new byte[Math.max(COALESCE_LIMIT, bytes.length)];
        } else if (pendingLength + bytes.length > pending.length) {
            flush();
            coalesce(bytes);
            return;
        }
        System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
        pendingLength += bytes.length;
    }

    /** Writes the collected replies; the buffer is dropped so that an idle connection holds none. */
    private void flush() {
        if (pendingLength == 0 || closed) {
            pending = null;
            pendingLength = 0;
            return;
        }
        int octets = pendingLength;
        io.write(IoBuffer.wrap(pending, 0, octets)).addListener(future -> written(octets));
        pending = null;
        pendingLength = 0;
    }

    /**
     * Writes the current stream in chunks read straight into the buffers handed to Mina, keeping
     * up to {@link #STREAM_WINDOW} chunks on their way to the socket so that reading the next one
     * overlaps sending the last; a short read is the end of the stream.
     */
    private void pump() {
        while (!closed && streaming != null) {
            if (chunksInFlight.get() >= STREAM_WINDOW) {
                pumpWaiting.set(true);
                if (chunksInFlight.get() >= STREAM_WINDOW || !pumpWaiting.compareAndSet(true, false)) {
                    return;
                }
                continue;
            }
            // Replies collected so far (the line before the message) go out in the same write.
            int head = pendingLength;
            IoBuffer buffer = IoBuffer.allocate(head + STREAM_CHUNK, false);
            if (head > 0) {
                System.arraycopy(pending, 0, buffer.array(), buffer.arrayOffset(), head);
                pending = null;
                pendingLength = 0;
            }
            int n;
            try {
                n = streaming.readNBytes(buffer.array(), buffer.arrayOffset() + head, STREAM_CHUNK);
            } catch (IOException e) {
                LOG.warn(
                        "Listener {}: reading a message for {} failed mid-stream, closing the connection: {}",
                        settings.name(),
                        remoteAddress(),
                        e.toString());
                closeQuietly(streaming);
                streaming = null;
                io.closeNow();
                return;
            }
            if (n > 0 || head > 0) {
                if (n > 0 && !queue(n)) {
                    return;
                }
                int octets = head + n;
                buffer.limit(octets);
                chunksInFlight.incrementAndGet();
                io.write(buffer).addListener(future -> {
                    written(octets);
                    chunksInFlight.decrementAndGet();
                    if (pumpWaiting.compareAndSet(true, false)) {
                        serial.execute(this::pump);
                    }
                });
            }
            if (n < STREAM_CHUNK) {
                closeQuietly(streaming);
                streaming = null;
                while (streaming == null && !outbound.isEmpty()) {
                    process(outbound.poll());
                }
                drain();
                return;
            }
        }
    }

    private void guarded(Runnable protocolCall) {
        try {
            protocolCall.run();
        } catch (RuntimeException | LinkageError e) {
            LOG.error(
                    "Listener {}: protocol session failed for {}, closing the connection",
                    settings.name(),
                    remoteAddress(),
                    e);
            closing = true;
            io.closeNow();
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("closing a message stream", e);
        }
    }

    /** A reply that must leave in the clear although the TLS filter is already in place (STARTTLS). */
    private static final class PlainWriteRequest extends DefaultWriteRequest implements DisableEncryptWriteRequest {
        PlainWriteRequest(IoBuffer message, IoSession session) {
            super(message, new DefaultWriteFuture(session));
        }
    }
}
