package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.ProtocolSession;

/**
 * A connection for unit tests of a session that frames input as the transport does (lines at
 * CRLF or LF, CRLF alone in CRLF-only mode, raw octets for readOctets) and records replies.
 * Pauses and awaits complete at once, on the test's thread.
 */
final class ScriptedConnection implements Connection {

    final List<String> replies = new ArrayList<>();
    private ProtocolSession session;
    private byte[] input = new byte[0];
    private boolean crlfOnly;
    private int maxLineLength = 2048;
    private long rawRemaining;
    private OutputStream rawSink;
    private Consumer<IOException> rawThen;
    private boolean draining;
    boolean secure;
    boolean startTlsAvailable = true;
    boolean closed;
    String authenticatedAs = "-";

    void attach(ProtocolSession session) {
        this.session = session;
    }

    /** Sends client text (UTF-8) and lets the session process what it can. */
    ScriptedConnection client(String text) {
        return client(text.getBytes(UTF_8));
    }

    ScriptedConnection client(byte[] bytes) {
        byte[] joined = Arrays.copyOf(input, input.length + bytes.length);
        System.arraycopy(bytes, 0, joined, input.length, bytes.length);
        input = joined;
        drain();
        return this;
    }

    /** The replies since the last call, and forgets them. */
    List<String> take() {
        List<String> taken = new ArrayList<>(replies);
        replies.clear();
        return taken;
    }

    String last() {
        return replies.isEmpty() ? null : replies.get(replies.size() - 1);
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!closed && input.length > 0) {
                if (rawRemaining > 0) {
                    int n = (int) Math.min(rawRemaining, input.length);
                    try {
                        rawSink.write(input, 0, n);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    input = Arrays.copyOfRange(input, n, input.length);
                    rawRemaining -= n;
                    if (rawRemaining == 0) {
                        Consumer<IOException> then = rawThen;
                        rawThen = null;
                        then.accept(null);
                    }
                    continue;
                }
                int end = -1;
                int next = -1;
                for (int i = 0; i < input.length; i++) {
                    if (input[i] == '\n' && (!crlfOnly || (i > 0 && input[i - 1] == '\r'))) {
                        end = i > 0 && input[i - 1] == '\r' ? i - 1 : i;
                        next = i + 1;
                        break;
                    }
                }
                if (end < 0) {
                    break;
                }
                byte[] line = Arrays.copyOf(input, end);
                input = Arrays.copyOfRange(input, next, input.length);
                if (line.length > maxLineLength) {
                    session.onLineTooLong();
                } else {
                    session.onLine(line);
                }
            }
        } finally {
            draining = false;
        }
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("192.0.2.7", 40000);
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("192.0.2.1", 2525);
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public SSLSession tlsSession() {
        return null;
    }

    @Override
    public boolean isLoopback() {
        return false;
    }

    @Override
    public boolean isStartTlsAvailable() {
        return startTlsAvailable && !secure;
    }

    @Override
    public void send(String line) {
        replies.add(line);
    }

    @Override
    public void sendStream(InputStream content) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void startTls(String reply) {
        replies.add(reply);
        input = new byte[0];
        secure = true;
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
    public void authenticated(String user) {
        authenticatedAs = user;
    }

    @Override
    public int maxLineLength() {
        return maxLineLength;
    }

    @Override
    public void setMaxLineLength(int octets) {
        maxLineLength = octets;
    }

    @Override
    public void setCrlfOnly(boolean crlfOnly) {
        this.crlfOnly = crlfOnly;
    }

    @Override
    public void readOctets(long octets, OutputStream sink, Consumer<IOException> then) {
        if (octets == 0) {
            then.accept(null);
            return;
        }
        rawRemaining = octets;
        rawSink = sink;
        rawThen = then;
    }

    @Override
    public void close(String finalReply) {
        if (finalReply != null) {
            replies.add(finalReply);
        }
        closed = true;
    }

    static byte[] bytes(ByteArrayOutputStream out) {
        return out.toByteArray();
    }
}
