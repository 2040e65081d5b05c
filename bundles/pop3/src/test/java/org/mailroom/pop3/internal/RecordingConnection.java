package org.mailroom.pop3.internal;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.mailroom.api.protocol.Connection;

/**
 * A {@link Connection} for unit tests: records everything the session sends, reads streams fully,
 * and queues {@link #pause} continuations for the test to run.
 */
final class RecordingConnection implements Connection {

    /** What the session sent, in order: a line, or the full content of a stream. */
    record Output(String line, byte[] stream) {
        boolean isStream() {
            return stream != null;
        }

        String text() {
            return isStream() ? new String(stream, StandardCharsets.UTF_8) : line;
        }
    }

    record Pause(Duration delay, Runnable then) {}

    final List<Output> output = new ArrayList<>();
    final Deque<Pause> pending = new ArrayDeque<>();
    final List<Duration> pauses = new ArrayList<>();
    String authenticatedUser;
    final List<Integer> lineLengths = new ArrayList<>();
    final List<String> startTlsReplies = new ArrayList<>();
    boolean secure;
    boolean loopback;
    boolean startTlsConfigured;
    boolean closed;
    String closeReply;
    int closeCalls;
    private int maxLineLength = 512;
    private int read;

    RecordingConnection(boolean secure, boolean loopback, boolean startTlsConfigured) {
        this.secure = secure;
        this.loopback = loopback;
        this.startTlsConfigured = startTlsConfigured;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress(loopback ? "127.0.0.1" : "192.0.2.7", 40000);
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 110);
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public boolean isLoopback() {
        return loopback;
    }

    @Override
    public boolean isStartTlsAvailable() {
        return startTlsConfigured && !secure;
    }

    @Override
    public void send(String line) {
        assertTrue("send after close: " + line, !closed);
        output.add(new Output(line, null));
    }

    @Override
    public void sendStream(InputStream content) {
        assertTrue("sendStream after close", !closed);
        try (InputStream in = content) {
            output.add(new Output(null, in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void startTls(String reply) {
        startTlsReplies.add(reply);
        output.add(new Output(reply, null));
        secure = true;
    }

    @Override
    public void pause(Duration delay, Runnable then) {
        pauses.add(delay);
        pending.add(new Pause(delay, then));
    }

    @Override
    public <T> void await(CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> then) {
        pending.add(new Pause(Duration.ZERO, () -> {
            T value = null;
            Throwable failure = null;
            try {
                value = stage.toCompletableFuture().join();
            } catch (CompletionException e) {
                failure = e.getCause();
            } catch (CancellationException e) {
                failure = e;
            }
            then.accept(value, failure);
        }));
    }

    @Override
    public void authenticated(String user) {
        authenticatedUser = user;
    }

    @Override
    public int maxLineLength() {
        return maxLineLength;
    }

    @Override
    public void setMaxLineLength(int octets) {
        lineLengths.add(octets);
        maxLineLength = octets;
    }

    @Override
    public javax.net.ssl.SSLSession tlsSession() {
        return null;
    }

    @Override
    public void setCrlfOnly(boolean crlfOnly) {
        throw new UnsupportedOperationException("POP3 cuts lines at CRLF or LF");
    }

    @Override
    public void readOctets(
            long octets, java.io.OutputStream sink, java.util.function.Consumer<java.io.IOException> then) {
        throw new UnsupportedOperationException("POP3 reads no raw octets");
    }

    @Override
    public void close(String finalReply) {
        closeCalls++;
        if (!closed && finalReply != null) {
            output.add(new Output(finalReply, null));
        }
        closed = true;
        closeReply = finalReply;
    }

    /** Runs one queued pause continuation, as the transport would once the delay is over. */
    boolean runOnePause() {
        Pause p = pending.poll();
        if (p == null) {
            return false;
        }
        p.then().run();
        return true;
    }

    /** Runs pause continuations (including those they queue) until none is left, or fails after {@code limit}. */
    void drainPauses(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (runOnePause()) {
            if (System.nanoTime() > deadline) {
                fail("pause continuations still queued after " + limit.toMillis() + " ms");
            }
            Thread.onSpinWait();
        }
    }

    /** The outputs since the previous call. */
    List<Output> fresh() {
        List<Output> result = new ArrayList<>(output.subList(read, output.size()));
        read = output.size();
        return result;
    }

    /** The lines (stream contents as text) since the previous {@link #fresh} or {@link #freshText} call. */
    List<String> freshText() {
        List<String> result = new ArrayList<>();
        for (Output o : fresh()) {
            result.add(o.text());
        }
        return result;
    }

    String last() {
        if (output.isEmpty()) {
            fail("nothing sent");
        }
        return output.get(output.size() - 1).text();
    }
}
