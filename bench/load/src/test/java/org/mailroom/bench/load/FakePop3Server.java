package org.mailroom.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A tiny POP3 server over a filled Maildir root, for the loopback tests; it can flip a byte. */
final class FakePop3Server implements AutoCloseable {
    private final ServerSocket server;
    private final Path root;
    /** When true, the 10th octet of every retrieved message 2 is changed. */
    volatile boolean corrupt;
    /** When true, RETR sends a line starting with "." without stuffing it. */
    volatile boolean noStuffing;

    FakePop3Server(Path root) throws IOException {
        this.root = root;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "fake-pop3");
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
                Thread t = new Thread(() -> serve(s), "fake-pop3-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return b < 0 && sb.length() == 0 ? null : sb.toString();
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            write(out, "+OK fake POP3 ready\r\n");
            List<byte[]> msgs = new ArrayList<>();
            String cmd;
            while ((cmd = line(in)) != null) {
                String[] f = cmd.split(" ");
                String verb = f[0].toUpperCase();
                switch (verb) {
                    case "USER":
                        msgs = load(f[1]);
                        write(out, "+OK\r\n");
                        break;
                    case "PASS":
                    case "NOOP":
                        write(out, "+OK\r\n");
                        break;
                    case "STAT": {
                        long total = 0;
                        for (byte[] m : msgs) {
                            total += Wire.wireSize(m);
                        }
                        write(out, "+OK " + msgs.size() + " " + total + "\r\n");
                        break;
                    }
                    case "LIST": {
                        if (f.length > 1) {
                            int n = Integer.parseInt(f[1]);
                            write(out, "+OK " + n + " " + Wire.wireSize(msgs.get(n - 1)) + "\r\n");
                            break;
                        }
                        StringBuilder sb = new StringBuilder("+OK\r\n");
                        for (int i = 0; i < msgs.size(); i++) {
                            sb.append(i + 1)
                                    .append(' ')
                                    .append(Wire.wireSize(msgs.get(i)))
                                    .append("\r\n");
                        }
                        write(out, sb.append(".\r\n").toString());
                        break;
                    }
                    case "UIDL": {
                        StringBuilder sb = new StringBuilder("+OK\r\n");
                        for (int i = 0; i < msgs.size(); i++) {
                            sb.append(i + 1).append(" uid").append(i).append("\r\n");
                        }
                        write(out, sb.append(".\r\n").toString());
                        break;
                    }
                    case "RETR": {
                        int n = Integer.parseInt(f[1]);
                        byte[] m = msgs.get(n - 1).clone();
                        if (corrupt && (n == 2 || msgs.size() == 1)) {
                            m[m.length - 10] ^= 0x01;
                        }
                        write(out, "+OK\r\n");
                        out.write(noStuffing ? unstuffedWire(m) : Wire.stuffed(m));
                        out.flush();
                        break;
                    }
                    case "QUIT":
                        write(out, "+OK bye\r\n");
                        return;
                    default:
                        write(out, "-ERR unknown\r\n");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** CRLF wire form plus terminator, but without dot-stuffing: a broken server. */
    private static byte[] unstuffedWire(byte[] lf) {
        String s = new String(lf, StandardCharsets.ISO_8859_1).replace("\n", "\r\n") + ".\r\n";
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private List<byte[]> load(String user) throws IOException {
        Path cur = root.resolve(user).resolve("cur");
        List<byte[]> out = new ArrayList<>();
        if (!Files.isDirectory(cur)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> st = Files.list(cur)) {
            files = st.sorted().collect(Collectors.toList());
        }
        for (Path p : files) {
            out.add(Files.readAllBytes(p));
        }
        return out;
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
