package org.mailroom.filter.spamd.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailroom.filter.daemon.Conduit;
import org.mailroom.filter.daemon.DaemonAddress;

/**
 * The SPAMC protocol (version 1.5) of spamd, command SYMBOLS: a request line, the
 * {@code Content-length} of the message and the {@code User} whose preferences apply, a blank
 * line, then the message; spamd answers {@code SPAMD/1.1 0 EX_OK}, a {@code Spam: True ; 7.1 / 5.0}
 * header (verdict, score, threshold) and, as the body, the names of the rules that hit, comma
 * separated. The message is streamed in chunks, never held.
 */
final class Spamd {

    static final int CHUNK = 64 * 1024;

    private static final int MAX_REPLY = 64 * 1024;
    private static final Pattern SPAM =
            Pattern.compile("(?im)^Spam:\\s*(True|False|Yes|No)\\s*;\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*/\\s*"
                    + "(-?[0-9]+(?:\\.[0-9]+)?)\\s*$");
    private static final Pattern STATUS = Pattern.compile("SPAMD/[0-9.]+\\s+([0-9]+)\\s*(.*)");
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_.]+");

    /**
     * A check's result.
     *
     * @param scanned false if spamd could not be asked or failed
     * @param spam spamd's verdict (its score reached its threshold)
     * @param score the score
     * @param threshold spamd's threshold (required_score)
     * @param rules the rules that hit
     * @param problem when not scanned, a few words for the header of a message let through
     * @param detail when not scanned, what happened, for the log
     */
    record Result(
            boolean scanned,
            boolean spam,
            double score,
            double threshold,
            List<String> rules,
            String problem,
            String detail) {

        static Result failed(String problem, String detail) {
            return new Result(false, false, 0, 0, List.of(), problem, detail);
        }
    }

    private Spamd() {}

    /**
     * Sends the message (exactly {@code size} octets) to spamd and returns its result; a daemon
     * that cannot be reached, does not answer in time or answers with an error gives a result
     * that is not scanned, never an exception.
     *
     * @throws UncheckedIOException if the message itself cannot be read
     */
    static Result check(DaemonAddress address, Duration timeout, String user, InputStream message, long size) {
        Conduit conduit;
        try {
            conduit = Conduit.open(address, timeout);
        } catch (SocketTimeoutException e) {
            return Result.failed("scanner timed out", "spamd at " + address + " did not accept: " + e.getMessage());
        } catch (IOException e) {
            return Result.failed("scanner unreachable", "cannot connect to spamd at " + address + ": " + e);
        }
        try (conduit) {
            return exchange(conduit, address, user, message, size);
        } catch (IOException e) {
            return Result.failed("scanner error", "closing the connection to " + address + ": " + e);
        }
    }

    private static Result exchange(
            Conduit conduit, DaemonAddress address, String user, InputStream message, long size) {
        try {
            conduit.write(
                    ByteBuffer.wrap(("SYMBOLS SPAMC/1.5\r\nContent-length: " + size + "\r\nUser: " + user + "\r\n\r\n")
                            .getBytes(US_ASCII)));
            byte[] chunk = new byte[CHUNK];
            long sent = 0;
            while (sent < size) {
                int n = read(message, chunk, (int) Math.min(CHUNK, size - sent));
                if (n < 0) {
                    return Result.failed(
                            "message error", "the message ended after " + sent + " of its " + size + " octets");
                }
                conduit.write(ByteBuffer.wrap(chunk, 0, n));
                sent += n;
            }
            if (read(message, chunk, 1) >= 0) {
                return Result.failed("message error", "the message is longer than its size of " + size + " octets");
            }
            conduit.shutdownOutput();
        } catch (SocketTimeoutException e) {
            return Result.failed("scanner timed out", "spamd at " + address + ": " + e.getMessage());
        } catch (IOException e) {
            return Result.failed("scanner error", "connection to spamd at " + address + " lost while sending: " + e);
        }
        ByteBuffer reply = ByteBuffer.allocate(MAX_REPLY);
        try {
            while (reply.hasRemaining() && conduit.read(reply) >= 0) {
                // read to the end: spamd closes the connection after its reply
            }
        } catch (SocketTimeoutException e) {
            return Result.failed("scanner timed out", "spamd at " + address + ": " + e.getMessage());
        } catch (IOException e) {
            if (reply.position() == 0) {
                return Result.failed("scanner error", "reading the reply of spamd at " + address + ": " + e);
            }
        }
        return parse(new String(reply.array(), 0, reply.position(), US_ASCII));
    }

    static Result parse(String reply) {
        int end = reply.indexOf("\r\n\r\n");
        String head = end < 0 ? reply : reply.substring(0, end);
        String body = end < 0 ? "" : reply.substring(end + 4);
        String status = head.lines().findFirst().orElse("").strip();
        Matcher s = STATUS.matcher(status);
        if (!s.matches()) {
            return Result.failed(
                    "scanner error",
                    status.isEmpty()
                            ? "spamd closed the connection without a reply"
                            : "spamd: unexpected reply '" + printable(status) + "'");
        }
        if (!s.group(1).equals("0")) {
            return Result.failed("scanner error", "spamd: " + printable(status));
        }
        Matcher m = SPAM.matcher(head);
        if (!m.find()) {
            return Result.failed("scanner error", "spamd: no Spam header in '" + printable(head) + "'");
        }
        List<String> rules = new ArrayList<>();
        for (String rule : body.strip().split("\\s*,\\s*")) {
            if (RULE.matcher(rule).matches()) {
                rules.add(rule);
            }
        }
        String verdict = m.group(1).toLowerCase(Locale.ROOT);
        return new Result(
                true,
                verdict.equals("true") || verdict.equals("yes"),
                Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3)),
                List.copyOf(rules),
                "",
                "");
    }

    private static int read(InputStream message, byte[] buffer, int len) {
        try {
            int total = 0;
            while (total < len) {
                int n = message.read(buffer, total, len - total);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the message to scan", e);
        }
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= ' ' && c < 127 ? c : ' ');
        }
        return out.toString().strip();
    }
}
