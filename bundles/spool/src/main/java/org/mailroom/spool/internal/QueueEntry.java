package org.mailroom.spool.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mailroom.api.spool.QueuedMessage;
import org.mailroom.api.spool.RecipientStatus;
import org.mailroom.api.spool.RecipientStatus.State;
import org.mailroom.api.spool.SpoolRecipient;

/**
 * One message of the queue and where each of its recipients stands, in memory and in its
 * directory {@code queue/<id>/}: {@code message} (the content), {@code envelope} (sender, time,
 * recipients; written once), {@code delivered-<n>} (nothing left to do: delivered, quarantined, or
 * refused to the client before the reply) and {@code failed-<n>} per finished recipient,
 * and {@code attempts} (failed attempts and last errors, rewritten after each failed attempt).
 * The methods are called with the entry's monitor held by the spool.
 */
final class QueueEntry {

    static final String MESSAGE = "message";
    static final String ENVELOPE = "envelope";
    private static final String ATTEMPTS = "attempts";
    private static final String FORMAT = "mailroom-spool 1";

    final String id;
    final Path dir;
    final String sender;
    final Instant received;
    final List<SpoolRecipient> recipients;
    /** The message file's size: it never changes once committed. */
    final long size;

    private final State[] states;
    private final int[] attempts;
    private final Instant[] due;
    private final String[] errors;
    /** The delivery task waiting to run, if any. */
    java.util.concurrent.ScheduledFuture<?> pending;

    /** A delivery task for this entry is running (it plans the next one when it ends). */
    boolean running;

    boolean deleted;

    QueueEntry(String id, Path dir, String sender, Instant received, List<SpoolRecipient> recipients, long size) {
        this.id = id;
        this.size = size;
        this.dir = dir;
        this.sender = sender;
        this.received = received;
        this.recipients = List.copyOf(recipients);
        int n = recipients.size();
        this.states = new State[n];
        this.attempts = new int[n];
        this.due = new Instant[n];
        this.errors = new String[n];
        for (int i = 0; i < n; i++) {
            states[i] = State.WAITING;
            due[i] = received;
            errors[i] = "";
        }
    }

    /** The delivery key of recipient {@code n}: unique per message and recipient. */
    String key(int n) {
        return id + "-" + n;
    }

    Path message() {
        return dir.resolve(MESSAGE);
    }

    State state(int n) {
        return states[n];
    }

    int attempts(int n) {
        return attempts[n];
    }

    boolean isDue(int n, Instant now) {
        return states[n] == State.WAITING && !due[n].isAfter(now);
    }

    /** The earliest time a waiting recipient is due, or null if none waits. */
    Instant nextDue() {
        Instant next = null;
        for (int i = 0; i < states.length; i++) {
            if (states[i] == State.WAITING && (next == null || due[i].isBefore(next))) {
                next = due[i];
            }
        }
        return next;
    }

    boolean allDelivered() {
        for (State s : states) {
            if (s != State.DELIVERED) {
                return false;
            }
        }
        return true;
    }

    void delivered(int n, boolean fsync) throws IOException {
        SpoolFiles.write(dir.resolve("delivered-" + n), new byte[0], fsync);
        states[n] = State.DELIVERED;
        errors[n] = "";
    }

    void failed(int n, String reason, boolean fsync) throws IOException {
        SpoolFiles.write(dir.resolve("failed-" + n), reason.getBytes(UTF_8), fsync);
        states[n] = State.FAILED;
        errors[n] = reason;
    }

    void deferred(int n, String reason, Instant next, boolean fsync) throws IOException {
        attempts[n]++;
        errors[n] = reason;
        due[n] = next;
        writeAttempts(fsync);
    }

    /** Makes a waiting or failed recipient due now; true if it was not delivered. */
    boolean retryNow(int n, Instant now) throws IOException {
        if (states[n] == State.DELIVERED) {
            return false;
        }
        if (states[n] == State.FAILED) {
            Files.deleteIfExists(dir.resolve("failed-" + n));
            states[n] = State.WAITING;
        }
        due[n] = now;
        return true;
    }

    QueuedMessage snapshot() {
        List<RecipientStatus> list = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            SpoolRecipient r = recipients.get(i);
            list.add(new RecipientStatus(
                    r.address(),
                    r.user(),
                    states[i],
                    attempts[i],
                    states[i] == State.WAITING ? due[i] : null,
                    errors[i]));
        }
        return new QueuedMessage(id, sender, received, size, list);
    }

    // ---- files

    /** Writes the envelope into {@code directory} (the entry's directory, or where it is being received). */
    void writeEnvelope(Path directory, boolean fsync) throws IOException {
        StringBuilder text = new StringBuilder(FORMAT).append('\n');
        text.append("sender ").append(encode(sender)).append('\n');
        text.append("received ").append(received.toEpochMilli()).append('\n');
        for (SpoolRecipient r : recipients) {
            text.append("rcpt ")
                    .append(encode(r.address()))
                    .append(' ')
                    .append(encode(r.user()))
                    .append('\n');
        }
        SpoolFiles.write(directory.resolve(ENVELOPE), text.toString().getBytes(UTF_8), fsync);
    }

    private void writeAttempts(boolean fsync) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < states.length; i++) {
            if (attempts[i] > 0) {
                text.append(i)
                        .append(' ')
                        .append(attempts[i])
                        .append(' ')
                        .append(encode(errors[i]))
                        .append('\n');
            }
        }
        SpoolFiles.replace(dir.resolve(ATTEMPTS), text.toString().getBytes(UTF_8), fsync);
    }

    /**
     * Reads an entry back from its directory; every waiting recipient is due now.
     *
     * @throws IOException naming the file and line of anything it cannot read
     */
    static QueueEntry load(Path dir) throws IOException {
        Path envelope = dir.resolve(ENVELOPE);
        List<String> lines = Files.readAllLines(envelope, UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(FORMAT)) {
            throw new IOException(envelope + ":1: not a spool envelope (" + FORMAT + ")");
        }
        String sender = null;
        Instant received = null;
        List<SpoolRecipient> recipients = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ", -1);
            try {
                switch (f[0]) {
                    case "sender" -> sender = decode(f[1]);
                    case "received" -> received = Instant.ofEpochMilli(Long.parseLong(f[1]));
                    case "rcpt" -> recipients.add(new SpoolRecipient(decode(f[1]), decode(f[2])));
                    default -> throw new IllegalArgumentException("unknown field " + f[0]);
                }
            } catch (RuntimeException e) {
                throw new IOException(envelope + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        if (sender == null || received == null || recipients.isEmpty()) {
            throw new IOException(envelope + ": sender, received or rcpt missing");
        }
        if (!Files.isRegularFile(dir.resolve(MESSAGE), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir.resolve(MESSAGE) + ": missing");
        }
        QueueEntry entry = new QueueEntry(
                dir.getFileName().toString(), dir, sender, received, recipients, Files.size(dir.resolve(MESSAGE)));
        Instant now = Instant.now();
        for (int n = 0; n < recipients.size(); n++) {
            entry.due[n] = now;
            if (Files.exists(dir.resolve("delivered-" + n))) {
                entry.states[n] = State.DELIVERED;
            } else if (Files.exists(dir.resolve("failed-" + n))) {
                entry.states[n] = State.FAILED;
                entry.errors[n] = Files.readString(dir.resolve("failed-" + n), UTF_8);
            }
        }
        Path attempts = dir.resolve(ATTEMPTS);
        if (Files.exists(attempts)) {
            for (String line : Files.readAllLines(attempts, UTF_8)) {
                String[] f = line.split(" ", -1);
                try {
                    int n = Integer.parseInt(f[0]);
                    entry.attempts[n] = Integer.parseInt(f[1]);
                    if (entry.states[n] == State.WAITING) {
                        entry.errors[n] = decode(f[2]);
                    }
                } catch (RuntimeException e) {
                    // The attempt counts are informational: a damaged line only resets them.
                }
            }
        }
        return entry;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, UTF_8);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, UTF_8);
    }
}
