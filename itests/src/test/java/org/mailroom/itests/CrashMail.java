package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mailroom.testing.SmtpClient;

/**
 * The mail of {@link SpoolCrashIT}: messages made from a seed, senders that send them over SMTP
 * as fast as the server takes them and reconnect whenever it is gone, and the ledger of what
 * became of each one from the client's side.
 */
final class CrashMail {

    /** What the client knows of a message. */
    enum Outcome {
        /** The final 250 arrived: the server must deliver it exactly once per recipient. */
        ACKED,
        /** The whole message and its final dot were sent, the reply never came: at most once. */
        IN_FLIGHT,
        /** The server answered the final dot with an error: the client would retry, so never delivered. */
        REFUSED,
        /** The connection broke before the final dot was sent: a partial message, never delivered. */
        PARTIAL
    }

    /** A message: its marker, recipients (user names), content in wire form (CRLF) and what became of it. */
    record Sent(int index, String marker, List<String> users, String wire, Outcome outcome, String reply, int start) {

        /** The content as the Maildir keeps it: LF line ends. */
        String onDisk() {
            return wire.replace("\r\n", "\n");
        }

        String lastLine() {
            return "END " + marker;
        }
    }

    static final String MARKER_HEADER = "X-Crash-Marker: ";
    static final String DOMAIN = "localhost";

    private final long seed;
    private final List<String> users;
    private final int port;
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentLinkedQueue<Sent> ledger = new ConcurrentLinkedQueue<>();
    private final AtomicLong notSent = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stop;
    /** The server start the senders are talking to, for the ledger (set by the test). */
    volatile int start;

    CrashMail(long seed, List<String> users, int port) {
        this.seed = seed;
        this.users = List.copyOf(users);
        this.port = port;
    }

    /** Message {@code index}: the same content for the same seed and index. */
    Sent message(int index) {
        Random r = new Random(seed * 1_000_003L + index);
        String marker = "c" + Long.toHexString(seed) + "-" + index;
        List<String> pool = new ArrayList<>(users);
        Collections.shuffle(pool, r);
        List<String> to = List.copyOf(pool.subList(0, 2 + r.nextInt(Math.min(3, pool.size() - 1))));
        StringBuilder m = new StringBuilder();
        m.append("From: Crash Test <crash@example.org>\r\n");
        m.append("To: ");
        for (int i = 0; i < to.size(); i++) {
            m.append(i == 0 ? "" : ", ").append(to.get(i)).append('@').append(DOMAIN);
        }
        m.append("\r\n");
        m.append("Subject: crash test ").append(index).append("\r\n");
        m.append("Message-ID: <").append(marker).append("@crash.mailroom.test>\r\n");
        m.append(MARKER_HEADER).append(marker).append("\r\n");
        m.append("\r\n");
        // Mostly a few KiB, now and then up to 300 KiB (several of the server's 64 KiB buffers).
        int size = r.nextInt(10) == 0 ? 50_000 + r.nextInt(250_000) : 100 + r.nextInt(8_000);
        int start = m.length();
        while (m.length() - start < size) {
            int kind = r.nextInt(50);
            if (kind == 0) {
                m.append(".\r\n"); // a lone dot: must not end the message
            } else if (kind == 1) {
                m.append("..\r\n");
            } else {
                if (kind < 6) {
                    m.append('.');
                }
                int len = r.nextInt(kind < 10 ? 1 : 120);
                for (int i = 0; i < len; i++) {
                    m.append((char) (r.nextInt(12) == 0 ? ' ' : 'a' + r.nextInt(26)));
                }
                m.append("\r\n");
            }
        }
        m.append("END ").append(marker).append("\r\n");
        return new Sent(index, marker, to, m.toString(), null, null, 0);
    }

    /** Starts {@code count} sender threads. */
    void startSenders(int count) {
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(this::sendLoop, "crash-sender-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stops the senders after the message each is sending, and waits for them. */
    void stopSenders() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(60_000);
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not stop");
            }
        }
        checkSenders();
    }

    /** Throws if a sender thread died of an error (rather than a broken connection, which it survives). */
    void checkSenders() {
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError("a sender failed: " + errors.get(0));
            errors.forEach(e::addSuppressed);
            throw e;
        }
    }

    List<Sent> ledger() {
        return List.copyOf(ledger);
    }

    long count(Outcome outcome) {
        return ledger.stream().filter(s -> s.outcome() == outcome).count();
    }

    /** Transactions given up before DATA (no connection, a refused command): nothing was sent. */
    long notSent() {
        return notSent.get();
    }

    private void sendLoop() {
        SmtpClient client = null;
        try {
            while (!stop) {
                if (client == null) {
                    client = connect();
                    if (client == null) {
                        connectFailures.incrementAndGet();
                        Thread.sleep(50);
                        continue;
                    }
                }
                if (!sendOne(client)) {
                    close(client);
                    client = null;
                    Thread.sleep(20);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            errors.add(e);
        } finally {
            close(client);
        }
    }

    private SmtpClient connect() {
        SmtpClient c = null;
        try {
            c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(30));
            if (c.reply().code() == 220 && c.command("EHLO crash.example").code() == 250) {
                return c;
            }
        } catch (IOException e) {
            // the server is down or starting
        }
        close(c);
        return null;
    }

    /** One transaction; false when the connection is no good any more. */
    private boolean sendOne(SmtpClient client) {
        int startNow = start;
        Sent m;
        try {
            if (client.command("MAIL FROM:<crash@example.org>").code() != 250) {
                notSent.incrementAndGet();
                return false;
            }
            m = message(next.getAndIncrement());
            for (String u : m.users()) {
                if (client.command("RCPT TO:<" + u + "@" + DOMAIN + ">").code() != 250) {
                    notSent.incrementAndGet();
                    return false;
                }
            }
            if (client.command("DATA").code() != 354) {
                notSent.incrementAndGet();
                return false;
            }
        } catch (IOException e) {
            notSent.incrementAndGet();
            return false;
        }
        try {
            client.write(stuffed(m.wire()));
        } catch (IOException e) {
            ledger.add(new Sent(m.index(), m.marker(), m.users(), m.wire(), Outcome.PARTIAL, e.toString(), startNow));
            return false;
        }
        SmtpClient.Reply reply;
        try {
            reply = client.reply();
        } catch (IOException e) {
            ledger.add(new Sent(m.index(), m.marker(), m.users(), m.wire(), Outcome.IN_FLIGHT, e.toString(), startNow));
            return false;
        }
        Outcome outcome = reply.code() == 250 ? Outcome.ACKED : Outcome.REFUSED;
        ledger.add(new Sent(m.index(), m.marker(), m.users(), m.wire(), outcome, reply.toString(), startNow));
        return outcome == Outcome.ACKED;
    }

    /** The message dot-stuffed, with the final dot. */
    static byte[] stuffed(String wire) {
        StringBuilder s = new StringBuilder(wire.length() + 64);
        int from = 0;
        while (from < wire.length()) {
            int end = wire.indexOf("\r\n", from) + 2;
            if (wire.charAt(from) == '.') {
                s.append('.');
            }
            s.append(wire, from, end);
            from = end;
        }
        return s.append(".\r\n").toString().getBytes(UTF_8);
    }

    private static void close(SmtpClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // gone anyway
            }
        }
    }
}
