package org.mailroom.bench.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny SMTP/LMTP server for the loopback tests: each message goes, with a Received line
 * above it and LF line ends, into root/user/new/. It can drop one message, or flip a byte.
 */
final class FakeSmtpServer implements AutoCloseable {
    private final ServerSocket server;
    private final Path root;
    private final AtomicInteger received = new AtomicInteger();
    /** The n-th message received (0-based) is answered 250 but not stored; -1 for none. */
    volatile int drop = -1;
    /** The n-th message received is stored with one byte changed; -1 for none. */
    volatile int corrupt = -1;
    /** The n-th message received is stored twice; -1 for none. */
    volatile int duplicate = -1;

    FakeSmtpServer(Path root) throws IOException {
        this.root = root;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "fake-smtp");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "fake-smtp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (c == '\n') {
                break;
            }
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            write(out, "220 fake ESMTP\r\n");
            String rcpt = null;
            String l;
            while ((l = line(in)) != null) {
                String cmd = l.trim();
                String verb = cmd.split(" ")[0].toUpperCase();
                if (verb.equals("EHLO") || verb.equals("LHLO")) {
                    write(out, "250-fake\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
                } else if (verb.equals("MAIL")) {
                    write(out, "250 2.1.0 ok\r\n");
                } else if (verb.equals("RCPT")) {
                    rcpt = cmd.substring(cmd.indexOf('<') + 1, cmd.indexOf('@'));
                    write(out, "250 2.1.5 ok\r\n");
                } else if (verb.equals("DATA")) {
                    write(out, "354 go ahead\r\n");
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    String d;
                    while ((d = line(in)) != null && !d.equals(".\r\n")) {
                        data.write(
                                d.startsWith(".")
                                        ? d.substring(1).getBytes(StandardCharsets.ISO_8859_1)
                                        : d.getBytes(StandardCharsets.ISO_8859_1));
                    }
                    int n = received.getAndIncrement();
                    byte[] body = Wire.toLf(data.toByteArray());
                    if (n == corrupt) {
                        body[body.length / 2] ^= 0x20;
                    }
                    byte[] trace = ("Return-Path: <bench@bench.test>\nReceived: from fake by fake; n " + n + "\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                    byte[] file = new byte[trace.length + body.length];
                    System.arraycopy(trace, 0, file, 0, trace.length);
                    System.arraycopy(body, 0, file, trace.length, body.length);
                    if (n != drop) {
                        store(rcpt, n, "", file);
                        if (n == duplicate) {
                            store(rcpt, n, "dup", file);
                        }
                    }
                    write(out, "250 2.0.0 ok " + n + "\r\n");
                } else if (verb.equals("RSET") || verb.equals("NOOP")) {
                    write(out, "250 ok\r\n");
                } else if (verb.equals("QUIT")) {
                    write(out, "221 bye\r\n");
                    return;
                } else {
                    write(out, "502 5.5.2 unknown\r\n");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private void store(String user, int n, String suffix, byte[] file) throws IOException {
        Path dir = root.resolve(user);
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("new"));
        Files.createDirectories(dir.resolve("cur"));
        Path tmp = dir.resolve("tmp").resolve(n + suffix + ".fake");
        Files.write(tmp, file);
        Files.move(tmp, dir.resolve("new").resolve(n + suffix + ".fake"));
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
