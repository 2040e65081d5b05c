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
 * A small SMTP/LMTP client over a real socket, for tests: plain, implicit TLS or STARTTLS. It
 * trusts any server certificate ({@link TrustAll}). It sends exactly the octets it is given, so a
 * test can send what a broken or hostile client would.
 */
public final class SmtpClient implements Closeable {

    /** One reply: its code and its lines of text (without the code and separator). */
    public record Reply(int code, List<String> lines) {

        public boolean positive() {
            return code < 400;
        }

        /** The text of the last line. */
        public String text() {
            return lines.get(lines.size() - 1);
        }

        @Override
        public String toString() {
            return code + " " + String.join(" | ", lines);
        }
    }

    private final String host;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpClient(String host, Socket socket) throws IOException {
        this.host = host;
        use(socket);
    }

    /** Connects without TLS; read the greeting with {@link #reply()}. */
    public static SmtpClient connect(String host, int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            return new SmtpClient(host, s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Connects with implicit TLS (SMTPS), completing the handshake before returning. */
    public static SmtpClient connectTls(String host, int port, Duration timeout) throws IOException {
        SmtpClient client = connect(host, port, timeout);
        client.use(handshake(client.socket, host, port));
        return client;
    }

    /** Sends one command line and reads its reply. */
    public Reply command(String line) throws IOException {
        send(line);
        return reply();
    }

    /** Sends STARTTLS and, on 220, upgrades the connection. Returns the STARTTLS reply. */
    public Reply startTls() throws IOException {
        Reply r = command("STARTTLS");
        if (r.code() == 220) {
            use(handshake(socket, host, socket.getPort()));
        }
        return r;
    }

    /** The negotiated TLS version, or null on a plain connection. */
    public String tlsProtocol() {
        return socket instanceof SSLSocket ? ((SSLSocket) socket).getSession().getProtocol() : null;
    }

    /** Sends a line with CRLF. */
    public void send(String line) throws IOException {
        write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends octets as they are. */
    public void write(byte[] octets) throws IOException {
        out.write(octets);
        out.flush();
    }

    /** Reads one reply, multi-line ones included. */
    public Reply reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line.length() < 3) {
                throw new IOException("not an SMTP reply: " + line);
            }
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    /**
     * Sends a message with DATA, dot-stuffing it (its line ends must be CRLF), and returns the
     * reply after the final dot.
     */
    public Reply data(String message) throws IOException {
        Reply go = command("DATA");
        if (go.code() != 354) {
            return go;
        }
        StringBuilder stuffed = new StringBuilder();
        for (String line : message.split("\r\n", -1)) {
            stuffed.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        if (message.endsWith("\r\n")) {
            stuffed.setLength(stuffed.length() - 2);
        }
        write((stuffed + ".\r\n").getBytes(StandardCharsets.UTF_8));
        return reply();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(
                        "connection closed by the server after: " + line.toString(StandardCharsets.UTF_8));
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
