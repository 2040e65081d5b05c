package org.mailroom.api.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The transport side of one client connection, as a protocol session sees it. Output is written
 * in call order; {@link #sendStream} respects the socket's write backpressure.
 *
 * <p>Call these methods only from within a {@link ProtocolSession} callback (or a {@link #pause}
 * continuation) of this connection, except {@link #close}, which any thread may call.
 */
@ProviderType
public interface Connection {

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** True once TLS protects the connection (implicit TLS, or after {@link #startTls}). */
    boolean isSecure();

    /**
     * The TLS session once {@link #isSecure()}: its protocol and cipher suite (for trace headers
     * such as SMTP's {@code Received}) and the client's certificates, if it sent any; else null.
     *
     * @since 2.1
     */
    SSLSession tlsSession();

    /** True if the remote address is a loopback address. */
    boolean isLoopback();

    /** True if {@link #startTls} can be used: the listener has a certificate and is not yet secure. */
    boolean isStartTlsAvailable();

    /** Sends one line; CRLF is appended, the text is encoded as UTF-8. */
    void send(String line);

    /**
     * Sends the bytes of {@code content} as they are, then closes it. Input lines are not
     * delivered until the whole stream is written, so pipelined commands are answered in order
     * and a slow reader holds no more than one chunk of memory. A read error closes the connection.
     */
    void sendStream(InputStream content);

    /**
     * Sends {@code reply} in the clear, then negotiates TLS as a server; input is processed only
     * after the handshake.
     */
    void startTls(String reply);

    /**
     * Stops delivering input for {@code delay}, then runs {@code then} in the session's context
     * (serialized with the other callbacks) and resumes input. Used for failed-login delays and
     * for waiting on a service that is being replaced, without holding a thread.
     */
    void pause(Duration delay, Runnable then);

    /**
     * Stops delivering input until {@code stage} completes, then runs {@code then} with its
     * result (or failure) in the session's context and resumes input. Used for work that must not
     * hold a protocol worker, such as a password verification on the login service's own pool.
     * Nothing runs if the connection closes first.
     *
     * @since 1.1
     */
    <T> void await(CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> then);

    /**
     * Tells the transport that the client has logged in as {@code user}: from now on the
     * listener's idle timeout applies instead of its shorter login timeout. A protocol without a
     * login passes null once the client has shown it is a real client (SMTP to an MX: its first
     * accepted MAIL).
     *
     * @since 1.1
     */
    void authenticated(String user);

    int maxLineLength();

    /**
     * Makes only CRLF end an input line (true), or CRLF and a bare LF (false, the default). In
     * CRLF-only mode a bare CR or LF is part of the line handed to {@link ProtocolSession#onLine},
     * so that a protocol can refuse or repair it, as SMTP must inside message data (RFC 5321
     * section 2.3.8: a bare LF must not end a line, or a second message can be smuggled in).
     *
     * @since 2.1
     */
    void setCrlfOnly(boolean crlfOnly);

    /**
     * Hands the next {@code octets} octets of input to {@code sink} as they arrive, whatever they
     * contain, instead of cutting them into lines (a BDAT chunk, RFC 3030); then runs {@code then}
     * in the session's context and line input resumes. {@code then} gets null, or the first
     * IOException the sink threw (the rest of the octets are then read and dropped). The sink is
     * written off the I/O threads, in the session's context; it is not closed. Nothing runs if the
     * connection closes first; for zero octets {@code then} runs at once.
     *
     * @since 2.1
     */
    void readOctets(long octets, OutputStream sink, Consumer<IOException> then);

    /** Changes the longest accepted input line, e.g. for long SASL responses. */
    void setMaxLineLength(int octets);

    /**
     * Sends {@code finalReply} (if not null), then closes the connection once it is written.
     * Safe to call from any thread, e.g. when a protocol bundle stops.
     */
    void close(String finalReply);
}
