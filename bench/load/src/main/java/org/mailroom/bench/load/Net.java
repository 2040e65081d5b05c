package org.mailroom.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Where to connect and how: plain, implicit TLS, or STLS/STARTTLS on the plain port. */
final class Net {
    static final int TIMEOUT_MS = 30_000;

    enum Tls {
        NONE,
        IMPLICIT,
        STARTTLS
    }

    final String host;
    final int port;
    final Tls tls;
    private final SSLSocketFactory factory;
    /** False: every socket gets SO_TIMEOUT (the idle scenario's thousands of rarely read sockets). */
    boolean watchdog = true;

    Net(String host, int port, Tls tls) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.factory = tls == Tls.NONE ? null : trustAll().getSocketFactory();
    }

    /** A TCP connection with the 30 s read timeout; TLS from the first byte when implicit. */
    Socket connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            // plain connections of the active scenarios block in read, timed by the Watchdog
            s.setSoTimeout(tls == Tls.NONE && watchdog ? 0 : TIMEOUT_MS);
            if (tls == Tls.IMPLICIT) {
                return handshake(s);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /** TLS over an open connection (after STLS / STARTTLS was accepted). */
    Socket upgrade(Socket plain) throws IOException {
        plain.setSoTimeout(TIMEOUT_MS);
        return handshake(plain);
    }

    /** A reader of the socket's input: watched by the Watchdog when the socket has no SO_TIMEOUT. */
    static LineIn reader(Socket s, int bufferSize) throws IOException {
        return new LineIn(s.getInputStream(), bufferSize, s.getSoTimeout() == 0 ? s : null);
    }

    private Socket handshake(Socket plain) throws IOException {
        SSLSocket ssl = (SSLSocket) factory.createSocket(plain, host, port, true);
        ssl.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        ssl.setUseClientMode(true);
        ssl.setSoTimeout(TIMEOUT_MS);
        ssl.startHandshake();
        return ssl;
    }

    static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** True when the exception says the process ran out of file descriptors (EMFILE). */
    static boolean isEmfile(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("Too many open files")) {
                return true;
            }
        }
        return false;
    }

    /** Benchmarks talk to a server with a self-signed certificate: no certificate checks at all. */
    static SSLContext trustAll() {
        try {
            TrustManager tm = new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            };
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {tm}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context: " + e, e);
        }
    }
}
