package org.mailroom.filter.clamav.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.mailroom.filter.daemon.Conduit;
import org.mailroom.filter.daemon.DaemonAddress;

/**
 * clamd's INSTREAM command: {@code zINSTREAM\0}, then the message in chunks of a 4-octet
 * big-endian length and that many octets, ended by a chunk of length 0; clamd answers one
 * NUL-terminated line, {@code stream: OK}, {@code stream: NAME FOUND} or {@code ... ERROR}
 * (its StreamMaxLength passed: {@code INSTREAM size limit exceeded. ERROR}, and the connection
 * closes). The message is read and sent one chunk at a time: nothing but the chunk is held.
 */
final class Clamd {

    /** Octets per chunk: below clamd's default StreamMaxLength and big enough to keep the pipe full. */
    static final int CHUNK = 64 * 1024;

    private static final int MAX_REPLY = 4096;

    /** How a scan ended. */
    enum Outcome {
        CLEAN,
        INFECTED,
        FAILED
    }

    /**
     * A scan's result.
     *
     * @param outcome clean, infected, or not scanned
     * @param signature the signature clamd found (INFECTED), else empty
     * @param problem for FAILED, a few words for the header of a message let through unscanned
     * @param detail for FAILED, what happened, for the log; else clamd's reply
     * @param sent the message octets sent to clamd
     */
    record Scan(Outcome outcome, String signature, String problem, String detail, long sent) {

        static Scan failed(String problem, String detail, long sent) {
            return new Scan(Outcome.FAILED, "", problem, detail, sent);
        }
    }

    private Clamd() {}

    /**
     * Streams the message to clamd and returns its verdict; a daemon that cannot be reached,
     * does not answer in time or answers with an error gives a FAILED scan, never an exception.
     *
     * @throws UncheckedIOException if the message itself cannot be read
     */
    static Scan scan(DaemonAddress address, Duration timeout, InputStream message) {
        Conduit conduit;
        try {
            conduit = Conduit.open(address, timeout);
        } catch (SocketTimeoutException e) {
            return Scan.failed("scanner timed out", "clamd at " + address + " did not accept: " + e.getMessage(), 0);
        } catch (IOException e) {
            return Scan.failed("scanner unreachable", "cannot connect to clamd at " + address + ": " + e, 0);
        }
        try (conduit) {
            return stream(conduit, address, message);
        } catch (IOException e) {
            // close() failing after the verdict: the verdict stands (stream() caught the rest)
            return Scan.failed("scanner error", "closing the connection to " + address + ": " + e, 0);
        }
    }

    private static Scan stream(Conduit conduit, DaemonAddress address, InputStream message) {
        ByteBuffer reply = ByteBuffer.allocate(MAX_REPLY);
        long sent = 0;
        try {
            conduit.write(ByteBuffer.wrap("zINSTREAM\0".getBytes(US_ASCII)));
            byte[] chunk = new byte[4 + CHUNK];
            ByteBuffer frame = ByteBuffer.wrap(chunk);
            boolean answered = false;
            while (!answered) {
                int n = fill(message, chunk, 4, CHUNK);
                if (n <= 0) {
                    break;
                }
                frame.clear();
                frame.putInt(0, n);
                frame.limit(4 + n);
                conduit.write(frame);
                sent += n;
                // clamd answers before the end only to refuse (size limit): stop sending then.
                answered = conduit.readNow(reply) != 0;
            }
            if (!answered) {
                conduit.write(ByteBuffer.wrap(new byte[4]));
            }
        } catch (SocketTimeoutException e) {
            return Scan.failed("scanner timed out", "clamd at " + address + ": " + e.getMessage(), sent);
        } catch (IOException e) {
            // clamd may have refused and closed (size limit): its reply is worth reading.
            if (!readQuietly(conduit, reply)) {
                return Scan.failed(
                        "scanner error", "connection to clamd at " + address + " lost while sending: " + e, sent);
            }
        }
        try {
            while (reply.hasRemaining() && !terminated(reply)) {
                if (conduit.read(reply) < 0) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            return Scan.failed("scanner timed out", "clamd at " + address + ": " + e.getMessage(), sent);
        } catch (IOException e) {
            if (reply.position() == 0) {
                return Scan.failed("scanner error", "reading the reply of clamd at " + address + ": " + e, sent);
            }
        }
        return parse(text(reply), sent);
    }

    /** Reads what clamd has sent without waiting; true if there is something. */
    private static boolean readQuietly(Conduit conduit, ByteBuffer reply) {
        try {
            while (reply.hasRemaining() && conduit.readNow(reply) > 0) {
                // take what is there
            }
        } catch (IOException e) {
            // nothing more to read
        }
        return reply.position() > 0;
    }

    static Scan parse(String reply, long sent) {
        if (reply.isEmpty()) {
            return Scan.failed("scanner error", "clamd closed the connection without a reply", sent);
        }
        String answer = reply.startsWith("stream: ") ? reply.substring("stream: ".length()) : reply;
        if (answer.equals("OK")) {
            return new Scan(Outcome.CLEAN, "", "", reply, sent);
        }
        if (answer.endsWith(" FOUND") && answer.length() > " FOUND".length()) {
            return new Scan(
                    Outcome.INFECTED, answer.substring(0, answer.length() - " FOUND".length()), "", reply, sent);
        }
        if (reply.contains("size limit exceeded")) {
            return Scan.failed("size limit exceeded", "clamd: " + reply + " (its StreamMaxLength)", sent);
        }
        return Scan.failed("scanner error", "clamd: " + reply, sent);
    }

    /** Reads up to len octets (fewer only at the end of the message). */
    private static int fill(InputStream message, byte[] buffer, int offset, int len) {
        int total = 0;
        try {
            while (total < len) {
                int n = message.read(buffer, offset + total, len - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the message to scan", e);
        }
        return total;
    }

    private static boolean terminated(ByteBuffer reply) {
        return reply.position() > 0 && reply.get(reply.position() - 1) == 0;
    }

    /** The reply up to its NUL (or what came before the end), printable ASCII only, trimmed. */
    private static String text(ByteBuffer reply) {
        StringBuilder out = new StringBuilder(reply.position());
        for (int i = 0; i < reply.position(); i++) {
            int c = reply.get(i) & 0xff;
            if (c == 0) {
                break;
            }
            out.append(c >= ' ' && c < 127 ? (char) c : ' ');
        }
        return out.toString().strip();
    }
}
