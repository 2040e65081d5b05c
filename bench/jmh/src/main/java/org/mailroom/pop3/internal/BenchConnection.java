package org.mailroom.pop3.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import org.mailroom.api.protocol.Connection;

/**
 * A connection without a socket: a loopback client whose replies are only counted, so that a
 * benchmark measures the session's own work. Asynchronous steps (await, pause) run at once.
 */
final class BenchConnection implements Connection {

    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40110);
    private static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 11110);

    /** The last line sent, and how many octets of lines and streams were sent in all. */
    String lastLine;

    long sentOctets;
    InputStream lastStream;
    boolean closed;
    private int maxLineLength = 8192;

    @Override
    public InetSocketAddress remoteAddress() {
        return CLIENT;
    }

    @Override
    public InetSocketAddress localAddress() {
        return SERVER;
    }

    @Override
    public boolean isSecure() {
        return false;
    }

    @Override
    public SSLSession tlsSession() {
        return null;
    }

    @Override
    public boolean isLoopback() {
        return true;
    }

    @Override
    public boolean isStartTlsAvailable() {
        return false;
    }

    @Override
    public void send(String line) {
        lastLine = line;
        sentOctets += line.length() + 2;
    }

    /** Keeps the stream unread: RETR's command handling is measured, not the transfer. */
    @Override
    public void sendStream(InputStream content) {
        lastStream = content;
        try {
            content.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void startTls(String reply) {
        throw new UnsupportedOperationException("no TLS in benchmarks");
    }

    @Override
    public void pause(Duration delay, Runnable then) {
        then.run();
    }

    @Override
    public <T> void await(CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> then) {
        stage.whenComplete(then);
    }

    @Override
    public void authenticated(String user) {}

    @Override
    public int maxLineLength() {
        return maxLineLength;
    }

    @Override
    public void setCrlfOnly(boolean crlfOnly) {}

    @Override
    public void readOctets(long octets, OutputStream sink, Consumer<IOException> then) {
        throw new UnsupportedOperationException("no BDAT in POP3");
    }

    @Override
    public void setMaxLineLength(int octets) {
        maxLineLength = octets;
    }

    @Override
    public void close(String finalReply) {
        closed = true;
        if (finalReply != null) {
            send(finalReply);
        }
    }
}
