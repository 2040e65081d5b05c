package org.mailroom.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small POP3 client over a real socket, for tests: plain, implicit TLS (POP3S) or STLS.
 * It trusts any server certificate ({@link TrustAll}), since the distribution generates a self-signed one.
 * Lines are decoded as UTF-8; multi-line responses are dot-unstuffed.
 */
public final class Pop3Client extends LineClient {

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

    private Pop3Client(String host, java.net.Socket socket) throws IOException {
        super(host, socket);
    }

    /** Connects without TLS; read the greeting with {@link #readGreeting()}. */
    public static Pop3Client connect(String host, int port, Duration timeout) throws IOException {
        return new Pop3Client(host, open(host, port, timeout, false));
    }

    /** Connects with implicit TLS (POP3S), completing the handshake before returning. */
    public static Pop3Client connectTls(String host, int port, Duration timeout) throws IOException {
        return new Pop3Client(host, open(host, port, timeout, true));
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
            upgrade();
        }
        return r;
    }
}
