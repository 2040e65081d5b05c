package org.mailroom.itests;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mailroom.testing.SmtpClient;
import org.mailroom.testing.exam.MailroomTestSupport;

/**
 * The senders of {@link SmtpHotSwapIT}: each behaves as a real MTA, retrying a message after a
 * 4xx reply, a 421 or a closed connection until it gets 250 (and failing on a 5xx, or on no reply
 * at all within the client timeout: a hang), and records every acknowledged message with its
 * marker. A retry after a failure that came once the whole message was sent is "ambiguous": the
 * server may have queued it already, and a duplicate of such a marker is the classic SMTP
 * duplicate (RFC 1047), not an unexplained one.
 */
final class SmtpHotSwapSender {

    /** One message as sent: its unique marker and the users whose mailboxes must get it once. */
    record Message(String marker, List<String> addresses, List<String> users, String content, boolean forbidden) {

        /** The content dot-stuffed, with the final dot: what goes after the 354. */
        byte[] wire() {
            StringBuilder stuffed = new StringBuilder();
            for (String line : content.split("\r\n", -1)) {
                stuffed.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
            }
            stuffed.setLength(stuffed.length() - 2); // the content ends with CRLF: no empty last line
            return stuffed.append(".\r\n").toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A message the server acknowledged with 250, with its queue id and how many tries it took. */
    record Acknowledged(Message message, String queueId, int tries) {}

    /**
     * Between two messages of a session: the connection stays open, as an MTA's does, and the
     * senders together stay near what local delivery keeps up with, so that the spool drains fast.
     */
    private static final Duration PAUSE = Duration.ofMillis(50);

    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);
    private static final Duration GIVE_UP = Duration.ofSeconds(60);

    private final String host;
    private final int port;
    private final Duration timeout;
    private final List<String> users;
    private final int messagesPerSession;
    private final String forbiddenWord;
    private final int forbiddenEvery;

    final ConcurrentLinkedQueue<Acknowledged> acknowledged = new ConcurrentLinkedQueue<>();
    /** Messages with the forbidden word the server refused with a 5xx at the end of the data, as it must. */
    final ConcurrentLinkedQueue<Message> refused = new ConcurrentLinkedQueue<>();
    /** Markers retried after a failure that came once the final dot had been sent. */
    final Set<String> ambiguous = ConcurrentHashMap.newKeySet();
    /** Why messages were retried: "stage: reply" with counts. */
    final Map<String, AtomicInteger> retryReasons = new ConcurrentHashMap<>();

    final AtomicLong retries = new AtomicLong();
    private final AtomicInteger[] sequence;

    SmtpHotSwapSender(
            String host, int port, Duration timeout, List<String> users, int senders, int messagesPerSession) {
        this(host, port, timeout, users, senders, messagesPerSession, null, 0);
    }

    /**
     * Senders of which every {@code forbiddenEvery}-th message carries {@code forbiddenWord} in
     * its body: for those a 5xx reply to the data is the expected answer (a content filter
     * refused it), and a 250 is recorded as any acknowledgement (the test then finds it let through).
     */
    SmtpHotSwapSender(
            String host,
            int port,
            Duration timeout,
            List<String> users,
            int senders,
            int messagesPerSession,
            String forbiddenWord,
            int forbiddenEvery) {
        this.forbiddenWord = forbiddenWord;
        this.forbiddenEvery = forbiddenEvery;
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.users = List.copyOf(users);
        this.messagesPerSession = messagesPerSession;
        this.sequence = new AtomicInteger[senders];
        for (int i = 0; i < senders; i++) {
            sequence[i] = new AtomicInteger();
        }
    }

    /** One session of a sender: a connection carrying several messages, each retried until accepted. */
    void session(int sender, int round) throws Exception {
        Connection c = new Connection();
        try {
            for (int k = 0; k < messagesPerSession; k++) {
                if (k > 0) {
                    Thread.sleep(PAUSE.toMillis());
                }
                send(c, message(sender, sequence[sender].getAndIncrement()));
            }
            c.quit();
        } finally {
            c.close();
        }
    }

    Map<String, Integer> retryReasons() {
        Map<String, Integer> sorted = new TreeMap<>();
        retryReasons.forEach((k, v) -> sorted.put(k, v.get()));
        return sorted;
    }

    private Message message(int sender, int seq) {
        String marker = String.format("load-%02d-%05d", sender, seq);
        List<String> to = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        String first = users.get((sender + seq) % users.size());
        to.add(first);
        addresses.add(first + "@localhost");
        if (seq % 3 == 0) {
            String second = users.get((sender + seq + 1) % users.size());
            to.add(second);
            addresses.add(second + "@" + MailroomTestSupport.TEST_DOMAIN);
        }
        StringBuilder body = new StringBuilder();
        body.append("From: Load ")
                .append(sender)
                .append(" <load")
                .append(sender)
                .append("@example.org>\r\n")
                .append("To: ")
                .append(String.join(", ", addresses))
                .append("\r\nSubject: hot swap ")
                .append(marker)
                .append("\r\nMessage-ID: <")
                .append(marker)
                .append("@example.org>\r\nX-Marker: ")
                .append(marker)
                .append("\r\n\r\n");
        boolean forbidden = forbiddenWord != null && seq % forbiddenEvery == forbiddenEvery - 1;
        if (forbidden) {
            body.append("this one says ").append(forbiddenWord).append("\r\n");
        }
        int lines = 20 + (seq * 37 + sender * 11) % 80;
        for (int i = 0; i < lines; i++) {
            body.append(i % 17 == 0 ? "." : "")
                    .append("line ")
                    .append(i)
                    .append(" of ")
                    .append(marker)
                    .append(' ')
                    .append("x".repeat(40))
                    .append("\r\n");
        }
        return new Message(marker, List.copyOf(addresses), List.copyOf(to), body.toString(), forbidden);
    }

    /** Sends one message, retrying until it is acknowledged. */
    private void send(Connection c, Message m) throws Exception {
        long giveUp = System.nanoTime() + GIVE_UP.toNanos();
        int tries = 0;
        String last = "";
        while (true) {
            tries++;
            String stage = "connect";
            boolean sentAll = false;
            try {
                stage = c.open();
                if (stage == null) {
                    stage = "MAIL";
                    SmtpClient.Reply r = c.smtp.command("MAIL FROM:<load@example.org>");
                    if (r.code() == 250) {
                        for (String address : m.addresses()) {
                            stage = "RCPT";
                            r = c.smtp.command("RCPT TO:<" + address + ">");
                            if (r.code() != 250) {
                                break;
                            }
                        }
                    }
                    if (r.code() == 250) {
                        stage = "DATA";
                        r = c.smtp.command("DATA");
                        if (r.code() == 354) {
                            stage = "end of data";
                            sentAll = true; // from here on the server may have the whole message
                            c.smtp.write(m.wire());
                            r = c.smtp.reply();
                        }
                    }
                    if (r.code() == 250 && sentAll) {
                        String text = r.text();
                        int at = text.indexOf("queued as ");
                        acknowledged.add(new Acknowledged(
                                m, at < 0 ? "?" : text.substring(at + 10).trim(), tries));
                        return;
                    }
                    if (r.code() >= 500 && m.forbidden() && sentAll) {
                        refused.add(m);
                        return;
                    }
                    if (r.code() >= 500) {
                        throw new AssertionError(m.marker() + ": permanent refusal at " + stage + ": " + r);
                    }
                    last = stage + ": " + r;
                    count(stage + ": " + r.code());
                    if (r.code() == 421) {
                        c.close();
                    } else {
                        c.reset();
                    }
                } else {
                    last = stage;
                    count(stage);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError(
                        m.marker() + ": no reply within " + timeout.toSeconds() + " s at " + stage + " (try " + tries
                                + ")",
                        e);
            } catch (IOException e) {
                last = stage + ": " + e;
                count(stage + ": connection closed");
                c.close();
            }
            if (sentAll) {
                ambiguous.add(m.marker());
            }
            retries.incrementAndGet();
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError(m.marker() + " not accepted within " + GIVE_UP.toSeconds() + " s and " + tries
                        + " tries; last: " + last);
            }
            Thread.sleep(RETRY_PAUSE.toMillis());
        }
    }

    private void count(String reason) {
        retryReasons.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
    }

    /** The connection of a session, opened again after a failure. */
    private final class Connection {
        SmtpClient smtp;

        /** Null when the connection is ready for MAIL; otherwise why not ("greeting: 421 ..."). */
        String open() throws IOException {
            if (smtp != null) {
                return null;
            }
            smtp = SmtpClient.connect(host, port, timeout);
            SmtpClient.Reply greeting = smtp.reply();
            if (greeting.code() != 220) {
                close();
                return "greeting: " + greeting.code();
            }
            SmtpClient.Reply ehlo = smtp.command("EHLO sender.example.org");
            if (ehlo.code() != 250) {
                close();
                return "EHLO: " + ehlo.code();
            }
            return null;
        }

        void reset() {
            try {
                if (smtp != null && smtp.command("RSET").code() != 250) {
                    close();
                }
            } catch (IOException e) {
                close();
            }
        }

        void quit() {
            try {
                if (smtp != null) {
                    smtp.command("QUIT");
                }
            } catch (IOException e) {
                // the message is acknowledged; how the session ends does not matter
            }
        }

        void close() {
            if (smtp != null) {
                try {
                    smtp.close();
                } catch (IOException e) {
                    // closing
                }
                smtp = null;
            }
        }
    }
}
