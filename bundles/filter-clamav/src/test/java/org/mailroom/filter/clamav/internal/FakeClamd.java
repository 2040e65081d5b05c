package org.mailroom.filter.clamav.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A clamd that speaks INSTREAM on a loopback port 0 (or a UNIX socket) and answers as it is told:
 * counts the octets and chunks it receives and keeps the first 1 MB of them.
 */
final class FakeClamd implements Closeable {

    enum Mode {
        CLEAN,
        INFECTED,
        ERROR,
        /** Accepts and never reads or answers. */
        SILENT,
        /** Refuses after {@link #limit} octets, as clamd does past StreamMaxLength, and closes. */
        LIMIT
    }

    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicLong received = new AtomicLong();
    final AtomicInteger chunks = new AtomicInteger();
    final AtomicInteger largestChunk = new AtomicInteger();
    final ByteArrayOutputStream head = new ByteArrayOutputStream();
    volatile String command = "";
    volatile Mode mode = Mode.CLEAN;
    volatile long limit = Long.MAX_VALUE;
    /** Called with the octets received so far, after each chunk. */
    volatile LongConsumer progress = n -> {};

    private FakeClamd(ServerSocketChannel server) {
        this.server = server;
        this.acceptor = new Thread(this::accept, "fake-clamd");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static FakeClamd tcp() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeClamd(server);
    }

    static FakeClamd unix(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new FakeClamd(server);
    }

    String address() throws IOException {
        if (server.getLocalAddress() instanceof InetSocketAddress inet) {
            return "tcp:127.0.0.1:" + inet.getPort();
        }
        return "unix:" + ((UnixDomainSocketAddress) server.getLocalAddress()).getPath();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel channel = server.accept();
                open.add(channel);
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(channel), "fake-clamd-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            if (mode == Mode.SILENT) {
                while (channel.isOpen()) {
                    Thread.sleep(50);
                }
                return;
            }
            DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
            OutputStream out = Channels.newOutputStream(channel);
            StringBuilder cmd = new StringBuilder();
            int c;
            while ((c = in.read()) > 0) {
                cmd.append((char) c);
            }
            command = cmd.toString();
            byte[] buffer = new byte[1 << 20];
            while (true) {
                int length = in.readInt();
                if (length == 0) {
                    break;
                }
                chunks.incrementAndGet();
                largestChunk.accumulateAndGet(length, Math::max);
                in.readFully(buffer, 0, length);
                synchronized (head) {
                    if (head.size() < (1 << 20)) {
                        head.write(buffer, 0, Math.min(length, (1 << 20) - head.size()));
                    }
                }
                long total = received.addAndGet(length);
                progress.accept(total);
                if (mode == Mode.LIMIT && total > limit) {
                    out.write("INSTREAM size limit exceeded. ERROR\0".getBytes(US_ASCII));
                    return;
                }
            }
            String reply = switch (mode) {
                case INFECTED -> "stream: Win.Test.Fake-1 FOUND";
                case ERROR -> "stream: Can't allocate memory ERROR";
                default -> "stream: OK";
            };
            out.write((reply + "\0").getBytes(US_ASCII));
        } catch (EOFException e) {
            // the client went away
        } catch (IOException | InterruptedException e) {
            // the test is over
        }
    }

    String headText() {
        synchronized (head) {
            return head.toString(US_ASCII);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : open) {
            c.close();
        }
    }
}
