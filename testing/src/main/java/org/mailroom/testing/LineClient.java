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
import javax.net.ssl.SSLSocket;

/**
 * What the kit's protocol clients share: a real socket, plain or TLS (trusting any server
 * certificate, {@link TrustAll}), upgraded in place for STLS/STARTTLS, and CRLF-terminated lines
 * decoded as UTF-8.
 */
abstract class LineClient implements Closeable {

    private final String host;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    LineClient(String host, Socket socket) throws IOException {
        this.host = host;
        use(socket);
    }

    static Socket open(String host, int port, Duration timeout, boolean tls) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            return tls ? handshake(s, host, port) : s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Negotiates TLS on the open connection (after the server agreed to STLS or STARTTLS). */
    void upgrade() throws IOException {
        use(handshake(socket, host, socket.getPort()));
    }

    /** The negotiated TLS version (e.g. TLSv1.3), or null on a plain connection. */
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
