package org.mailroom.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;

/**
 * A small POP3 client over a real socket, for tests: plain, implicit TLS (POP3S) or STLS.
 * It trusts any server certificate ({@link TrustAll}), since the distribution generates a self-signed one.
 * Lines are decoded as UTF-8; multi-line responses are dot-unstuffed.
 */
public final class Pop3Client implements Closeable {

    /** A status line ({@code +OK ...} / {@code -ERR ...}) and, for multi-line responses, the body lines. */
    public static final class Response {
        private final String status;
        private final List<String> lines;

        Response(String status, List<String> lines) {
            this.status = status;
            this.lines = lines;
        }

        public String status() {
            return status;
        }

        public List<String> lines() {
            return lines;
        }

        public boolean ok() {
            return status.startsWith("+OK");
        }

        @Override
        public String toString() {
            return lines.isEmpty() ? status : status + " " + lines;
        }
    }

    private final String host;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private Pop3Client(String host, Socket socket) throws IOException {
        this.host = host;
        use(socket);
    }

    /** Connects without TLS; read the greeting with {@link #readGreeting()}. */
    public static Pop3Client connect(String host, int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            return new Pop3Client(host, s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Connects with implicit TLS (POP3S), completing the handshake before returning. */
    public static Pop3Client connectTls(String host, int port, Duration timeout) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            SSLSocket tls = handshake(plain, host, port);
            return new Pop3Client(host, tls);
        } catch (IOException e) {
            plain.close();
            throw e;
        }
    }

    public String readGreeting() throws IOException {
        return readLine();
    }

    /** Sends one command and reads a single-line response. */
    public Response command(String command) throws IOException {
        send(command);
        return new Response(readLine(), List.of());
    }

    /**
     * Sends one command and reads a multi-line response: the status line and, if it is +OK,
     * the lines up to the terminating ".", dot-unstuffed.
     */
    public Response multiLine(String command) throws IOException {
        send(command);
        String status = readLine();
        if (!status.startsWith("+OK")) {
            return new Response(status, List.of());
        }
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); !line.equals("."); line = readLine()) {
            lines.add(line.startsWith(".") ? line.substring(1) : line);
        }
        return new Response(status, lines);
    }

    /** Sends STLS and, on +OK, upgrades the connection to TLS. Returns the STLS response. */
    public Response stls() throws IOException {
        Response r = command("STLS");
        if (r.ok()) {
            use(handshake(socket, host, socket.getPort()));
        }
        return r;
    }

    /** The negotiated TLS version (e.g. TLSv1.3), or null on a plain connection. */
    public String tlsProtocol() {
        return socket instanceof SSLSocket ? ((SSLSocket) socket).getSession().getProtocol() : null;
    }

    public void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one CRLF-terminated line (without the line end); fails on end of stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(
                        "Connection closed by the server after: " + line.toString(StandardCharsets.UTF_8));
            }
            if (b == '\n' && previous == '\r') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
    }

    private static SSLSocket handshake(Socket plain, String host, int port) throws IOException {
        SSLSocket tls = (SSLSocket) TrustAll.context().getSocketFactory().createSocket(plain, host, port, true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        return tls;
    }
}
