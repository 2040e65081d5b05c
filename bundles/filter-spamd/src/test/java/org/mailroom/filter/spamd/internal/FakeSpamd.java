package org.mailroom.filter.spamd.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
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
 * A spamd that speaks SPAMC on a loopback port 0 (or a UNIX socket): reads the request and its
 * Content-length octets, then answers with the score it is given; keeps the request's header and
 * the first 1 MB of the message, counts the rest.
 */
final class FakeSpamd implements Closeable {

    enum Mode {
        ANSWER,
        /** Replies with a protocol error, as spamd does to a bad request. */
        ERROR,
        /** Accepts and never reads or answers. */
        SILENT
    }

    private final ServerSocketChannel server;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicLong received = new AtomicLong();
    volatile String request = "";
    volatile String head = "";
    volatile Mode mode = Mode.ANSWER;
    volatile String spam = "True ; 7.1 / 5.0";
    volatile String rules = "GTUBE,MISSING_DATE";
    volatile LongConsumer progress = n -> {};

    private FakeSpamd(ServerSocketChannel server) {
        this.server = server;
        Thread acceptor = new Thread(this::accept, "fake-spamd");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static FakeSpamd tcp() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeSpamd(server);
    }

    static FakeSpamd unix(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new FakeSpamd(server);
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
                Thread t = new Thread(() -> serve(channel), "fake-spamd-connection");
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
            InputStream in = Channels.newInputStream(channel);
            OutputStream out = Channels.newOutputStream(channel);
            StringBuilder header = new StringBuilder();
            int c;
            while (!header.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                header.append((char) c);
            }
            request = header.toString();
            long length = 0;
            for (String line : request.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Long.parseLong(
                            line.substring("content-length:".length()).strip());
                }
            }
            byte[] buffer = new byte[1 << 16];
            StringBuilder first = new StringBuilder();
            long total = 0;
            while (total < length) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - total));
                if (n < 0) {
                    break;
                }
                if (first.length() < (1 << 20)) {
                    first.append(new String(buffer, 0, Math.min(n, (1 << 20) - first.length()), US_ASCII));
                }
                total += n;
                received.set(total);
                progress.accept(total);
            }
            head = first.toString();
            String reply = mode == Mode.ERROR
                    ? "SPAMD/1.0 76 Bad header line: (Content-Length mismatch)\r\n"
                    : "SPAMD/1.1 0 EX_OK\r\nContent-length: " + rules.length() + "\r\nSpam: " + spam + "\r\n\r\n"
                            + rules;
            out.write(reply.getBytes(US_ASCII));
        } catch (IOException | InterruptedException e) {
            // the client went away, or the test is over
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
