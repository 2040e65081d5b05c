package org.mailroom.bench.load;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.zip.CRC32;

/** A minimal blocking POP3 client (RFC 1939, STLS of RFC 2595) for the benchmark sessions. */
final class Pop3Client implements Closeable {
    /** A reply that is not +OK. */
    static final class ErrReply extends IOException {
        final String reply;

        ErrReply(String what, String reply) {
            super(what + ": " + reply);
            this.reply = reply;
        }

        boolean inUse() {
            return reply.contains("[IN-USE]");
        }
    }

    private Socket socket;
    private LineIn in;
    private OutputStream out;
    private final int bufferSize;

    private Pop3Client(Socket socket, int bufferSize) throws IOException {
        this.bufferSize = bufferSize;
        attach(socket);
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = Net.reader(s, bufferSize);
        this.out = s.getOutputStream();
    }

    /** Connects, reads the +OK greeting, and upgrades with STLS when the target says so. */
    static Pop3Client open(Net net, int bufferSize) throws IOException {
        Socket s = net.connect();
        Pop3Client c;
        try {
            c = new Pop3Client(s, bufferSize);
            expectOk("greeting", c.in.readLine());
            if (net.tls == Net.Tls.STARTTLS) {
                expectOk("STLS", c.command("STLS"));
                c.attach(net.upgrade(s));
            }
        } catch (IOException | RuntimeException e) {
            Net.closeQuietly(s);
            throw e;
        }
        return c;
    }

    static String expectOk(String what, String reply) throws ErrReply {
        if (!reply.startsWith("+OK")) {
            throw new ErrReply(what, reply);
        }
        return reply;
    }

    String command(String line) throws IOException {
        Net.send(out, line);
        return in.readLine();
    }

    /** Sends without reading the reply (the idle scenario writes a batch, then reads it). */
    void sendOnly(String line) throws IOException {
        Net.send(out, line);
    }

    String readReply() throws IOException {
        return in.readLine();
    }

    void login(String user, String password) throws IOException {
        expectOk("USER " + user, command("USER " + user));
        expectOk("PASS for " + user, command("PASS " + password));
    }

    /** STAT: {count, octets}. */
    long[] stat() throws IOException {
        String r = expectOk("STAT", command("STAT"));
        String[] f = r.split(" ");
        if (f.length < 3) {
            throw new ErrReply("STAT", r);
        }
        try {
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
        } catch (NumberFormatException e) {
            throw new ErrReply("STAT (not numbers)", r);
        }
    }

    /** LIST: sizes indexed by message number (element 0 unused). */
    long[] list(int expectedCount) throws IOException {
        expectOk("LIST", command("LIST"));
        List<String> lines = in.readLines();
        long[] sizes = new long[Math.max(expectedCount, lines.size()) + 1];
        for (String l : lines) {
            String[] f = l.split(" ");
            try {
                int n = Integer.parseInt(f[0]);
                if (n < 1 || n >= sizes.length) {
                    throw new ErrReply("LIST (message number out of range)", l);
                }
                sizes[n] = Long.parseLong(f[1]);
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new ErrReply("LIST (bad line)", l);
            }
        }
        if (lines.size() != expectedCount) {
            throw new ErrReply("LIST", lines.size() + " lines for " + expectedCount + " messages");
        }
        return sizes;
    }

    /** "LIST n": the size of one message. */
    long listOne(int n) throws IOException {
        String r = expectOk("LIST " + n, command("LIST " + n));
        String[] f = r.split(" ");
        try {
            return Long.parseLong(f[2]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new ErrReply("LIST " + n + " (bad reply)", r);
        }
    }

    List<String> uidl() throws IOException {
        expectOk("UIDL", command("UIDL"));
        return in.readLines();
    }

    /** RETR n: the unstuffed octets (CRLF line ends) go through crc; returns their count. */
    long retr(int n, CRC32 crc) throws IOException {
        expectOk("RETR " + n, command("RETR " + n));
        return in.readBody(crc);
    }

    void quit() throws IOException {
        try {
            expectOk("QUIT", command("QUIT"));
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        Net.closeQuietly(socket);
    }
}
