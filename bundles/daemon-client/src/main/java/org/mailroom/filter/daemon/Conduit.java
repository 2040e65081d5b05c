package org.mailroom.filter.daemon;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One connection to a daemon, over TCP or a UNIX socket alike: a non-blocking channel and a
 * selector of its own, so that connecting and every wait for the daemon to take or send octets
 * end after the timeout (a blocking channel has no read timeout, a UNIX one no socket timeout).
 * One thread uses it; closing it closes the channel and the selector.
 */
public final class Conduit implements Closeable {

    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutMillis;
    private final DaemonAddress address;

    private Conduit(SocketChannel channel, Selector selector, long timeoutMillis, DaemonAddress address) {
        this.channel = channel;
        this.selector = selector;
        this.timeoutMillis = timeoutMillis;
        this.address = address;
    }

    /**
     * Connects, waiting at most the timeout.
     *
     * @throws IOException if the daemon cannot be reached (refused, no such socket, timed out)
     */
    public static Conduit open(DaemonAddress address, Duration timeout) throws IOException {
        SocketAddress target = address.socketAddress();
        if (target instanceof InetSocketAddress inet && inet.isUnresolved()) {
            throw new UnknownHostException(address.host());
        }
        SocketChannel channel = SocketChannel.open(address.family());
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            selector = Selector.open();
            Conduit conduit = new Conduit(channel, selector, timeout.toMillis(), address);
            if (!channel.connect(target)) {
                conduit.await(SelectionKey.OP_CONNECT, "connecting");
                channel.finishConnect();
            }
            return conduit;
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    /** Writes all of the buffer, waiting at most the timeout each time the daemon takes nothing. */
    public void write(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                await(SelectionKey.OP_WRITE, "sending");
            }
        }
    }

    /**
     * Reads what the daemon sent, waiting at most the timeout for the first octet.
     *
     * @return the octets read, -1 at the end of the stream
     */
    public int read(ByteBuffer buffer) throws IOException {
        int n;
        while ((n = channel.read(buffer)) == 0 && buffer.hasRemaining()) {
            await(SelectionKey.OP_READ, "waiting for the reply");
        }
        return n;
    }

    /** Reads what the daemon has sent already, without waiting: 0 if nothing, -1 at the end. */
    public int readNow(ByteBuffer buffer) throws IOException {
        return channel.read(buffer);
    }

    /** No more octets for the daemon (spamd reads to the end of the request). */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    private void await(int operation, String doing) throws IOException {
        SelectionKey key = channel.register(selector, operation);
        try {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException(
                            "no progress " + doing + " for " + timeoutMillis / 1000.0 + " s (" + address + ")");
                }
                if (selector.select(left) > 0) {
                    selector.selectedKeys().clear();
                    return;
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted " + doing + " (" + address + ")");
                }
            }
        } finally {
            key.interestOps(0);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            selector.close();
        }
    }
}
