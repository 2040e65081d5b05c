package org.mailroom.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small SMTP/LMTP client over a real socket, for tests: plain, implicit TLS or STARTTLS. It
 * trusts any server certificate ({@link TrustAll}). It sends exactly the octets it is given, so a
 * test can send what a broken or hostile client would.
 */
public final class SmtpClient extends LineClient {

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

    private SmtpClient(String host, Socket socket) throws IOException {
        super(host, socket);
    }

    /** Connects without TLS; read the greeting with {@link #reply()}. */
    public static SmtpClient connect(String host, int port, Duration timeout) throws IOException {
        return new SmtpClient(host, open(host, port, timeout, false));
    }

    /** Connects with implicit TLS (SMTPS), completing the handshake before returning. */
    public static SmtpClient connectTls(String host, int port, Duration timeout) throws IOException {
        return new SmtpClient(host, open(host, port, timeout, true));
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
            upgrade();
        }
        return r;
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
}
