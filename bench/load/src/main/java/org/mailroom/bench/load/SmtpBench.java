package org.mailroom.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The "smtp" and "lmtp" commands: send K messages, then check what the server stored. */
final class SmtpBench {
    private final PrintStream out;
    private final boolean lmtp;
    private final Net net;
    private final int clients;
    private final int messages;
    private final int minSize;
    private final int maxSize;
    private final String from;
    private final String rcptPrefix;
    private final String rcptDomain;
    private final int users;
    private final long seed;
    private final String runId;
    private final String helo;
    private final Cpu cpu;
    private final Path maildirRoot;
    private final String layout;
    private final double waitSeconds;
    private final int dupGraceMs;
    private final Failures failures;

    SmtpBench(Opts o, PrintStream out, boolean lmtp) {
        this.out = out;
        this.lmtp = lmtp;
        this.failures = new Failures(out);
        Net.Tls tls = o.flag("tls") ? Net.Tls.IMPLICIT : o.flag("stls") ? Net.Tls.STARTTLS : Net.Tls.NONE;
        net = new Net(o.str("host", "127.0.0.1"), o.integer("port", 0), tls);
        if (net.port <= 0) {
            throw new IllegalArgumentException("option --port is required");
        }
        clients = o.integer("clients", 4);
        messages = o.integer("messages", 1000);
        if (o.has("min-kb") || o.has("max-kb")) {
            if (o.has("size-kb")) {
                throw new IllegalArgumentException("give either --size-kb or --min-kb/--max-kb");
            }
            minSize = o.integer("min-kb", 4) * 1024;
            maxSize = o.integer("max-kb", 50) * 1024;
        } else {
            minSize = o.integer("size-kb", 18) * 1024;
            maxSize = minSize;
        }
        from = o.str("from", "bench@bench.test");
        rcptPrefix = o.str("rcpt-prefix", "load");
        rcptDomain = o.str("rcpt-domain", "bench.test");
        users = o.integer("users", 8);
        seed = o.longValue("seed", 1);
        runId = o.str("run-id", "r" + Long.toString(System.currentTimeMillis(), 36));
        helo = o.str("helo", "bench.test");
        cpu = new Cpu(o.longValue("server-pid", 0));
        String root = o.str("maildir-root", null);
        maildirRoot = root == null ? null : Path.of(root);
        layout = o.str("maildir-layout", "{root}/{user}");
        waitSeconds = o.dbl("wait-seconds", 120);
        dupGraceMs = o.integer("dup-grace-ms", 500);
        if (clients < 1 || messages < 1 || users < 1 || minSize < 0 || maxSize < minSize) {
            throw new IllegalArgumentException("need --clients >= 1, --messages >= 1, --users >= 1, sizes >= 0");
        }
        if (runId.contains("/") || runId.contains(" ")) {
            throw new IllegalArgumentException("--run-id must not contain '/' or spaces");
        }
    }

    String user(int index) {
        return rcptPrefix + (index % users);
    }

    /** Message 'index' of this run, LF form: a function of seed, run id and index only. */
    byte[] message(int index) {
        SplittableRandom rnd = new SplittableRandom(MessageGen.mix(seed, runId.hashCode(), runId.length(), index));
        int size = minSize + (maxSize > minSize ? rnd.nextInt(maxSize - minSize + 1) : 0);
        return MessageGen.text(rnd, user(index) + "@" + rcptDomain, index, runId + "/" + index, size);
    }

    Path maildir(String user) {
        return Path.of(layout.replace("{root}", maildirRoot.toString()).replace("{user}", user));
    }

    /** A reply: its code and its last line. */
    static final class Reply {
        final int code;
        final String text;

        Reply(int code, String text) {
            this.code = code;
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Reads one (possibly multi-line "250-...") reply. */
    static Reply readReply(LineIn in) throws IOException {
        StringBuilder all = new StringBuilder();
        while (true) {
            String l = in.readLine();
            if (l.length() < 3) {
                throw new IOException("malformed reply line '" + l + "'");
            }
            int code;
            try {
                code = Integer.parseInt(l.substring(0, 3));
            } catch (NumberFormatException e) {
                throw new IOException("malformed reply line '" + l + "'");
            }
            if (all.length() > 0) {
                all.append(" | ");
            }
            all.append(l);
            if (l.length() == 3 || l.charAt(3) == ' ') {
                return new Reply(code, all.toString());
            }
            if (l.charAt(3) != '-') {
                throw new IOException("malformed reply line '" + l + "'");
            }
        }
    }

    /** One SMTP/LMTP connection after the greeting and EHLO/LHLO (and STARTTLS). */
    private final class Conn {
        Socket socket;
        LineIn in;
        OutputStream os;

        Conn() throws IOException {
            socket = net.connect();
            try {
                attach();
                expect(readReply(in), 220, "greeting");
                hello();
                if (net.tls == Net.Tls.STARTTLS) {
                    expect(command("STARTTLS"), 220, "STARTTLS");
                    socket = net.upgrade(socket);
                    attach();
                    hello();
                }
            } catch (IOException | RuntimeException e) {
                Net.closeQuietly(socket);
                throw e;
            }
        }

        private void attach() throws IOException {
            in = Net.reader(socket, 8192);
            os = socket.getOutputStream();
        }

        private void hello() throws IOException {
            expect(command((lmtp ? "LHLO " : "EHLO ") + helo), 250, lmtp ? "LHLO" : "EHLO");
        }

        Reply command(String line) throws IOException {
            Net.send(os, line);
            return readReply(in);
        }

        void close() {
            Net.closeQuietly(socket);
        }
    }

    static final class Refused extends IOException {
        Refused(String what, Reply r) {
            super(what + ": " + r);
        }
    }

    static Reply expect(Reply r, int code, String what) throws Refused {
        if (r.code != code) {
            throw new Refused(what, r);
        }
        return r;
    }

    Result run() throws Exception {
        String cmd = lmtp ? "lmtp" : "smtp";
        out.printf(
                Locale.ROOT,
                "%s: %s:%d, %d client(s), %d messages of %s to %d user(s) %s0..@%s, run id %s%n",
                cmd,
                net.host,
                net.port,
                clients,
                messages,
                minSize == maxSize ? (minSize / 1024) + " KB" : (minSize / 1024) + "-" + (maxSize / 1024) + " KB",
                Math.min(users, messages),
                rcptPrefix,
                rcptDomain,
                runId);
        // names already in the recipients' Maildirs are earlier runs': never read them
        Map<Path, Set<String>> seen = new HashMap<>();
        if (maildirRoot != null) {
            for (int u = 0; u < Math.min(users, messages); u++) {
                for (Path d : dirs(user(u))) {
                    Set<String> s = new HashSet<>();
                    list(d, s);
                    seen.put(d, s);
                }
            }
        }
        boolean[] accepted = new boolean[messages];
        AtomicInteger next = new AtomicInteger();
        AtomicLong firstMail = new AtomicLong(Long.MAX_VALUE);
        AtomicLong lastOk = new AtomicLong(Long.MIN_VALUE);
        AtomicLong rejected = new AtomicLong();
        AtomicLong sentBytes = new AtomicLong();
        List<Latencies> lats = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        Cpu.Sample c0 = cpu.sample();
        for (int t = 0; t < clients; t++) {
            Latencies lat = new Latencies();
            lats.add(lat);
            Thread th = new Thread(
                    () -> {
                        Conn c = null;
                        int connectErrors = 0;
                        int i = -1;
                        while (true) {
                            if (i < 0) {
                                i = next.getAndIncrement();
                                if (i >= messages) {
                                    break;
                                }
                            }
                            try {
                                if (c == null) {
                                    c = new Conn();
                                }
                            } catch (IOException e) {
                                failures.add("connect: " + e);
                                if (++connectErrors > 10) {
                                    failures.add("giving up after 10 failed connections; message " + i + " not sent");
                                    i = -1;
                                    connectErrors = 0;
                                }
                                sleepQuietly(100);
                                continue;
                            }
                            int index = i;
                            i = -1;
                            try {
                                if (send(c, index, lat, firstMail, lastOk, sentBytes)) {
                                    accepted[index] = true;
                                } else {
                                    rejected.incrementAndGet();
                                }
                            } catch (IOException e) {
                                failures.add("message " + index + ": " + e);
                                c.close();
                                c = null;
                            }
                        }
                        if (c != null) {
                            try {
                                expect(c.command("QUIT"), 221, "QUIT");
                            } catch (IOException e) {
                                failures.add("QUIT: " + e);
                            } finally {
                                c.close();
                            }
                        }
                    },
                    cmd + "-client-" + t);
            th.setDaemon(true);
            threads.add(th);
        }
        threads.forEach(Thread::start);
        for (Thread th : threads) {
            th.join();
        }
        Cpu.Delta d = cpu.since(c0);
        Latencies all = new Latencies();
        lats.forEach(all::addAll);
        int acceptedCount = 0;
        for (boolean a : accepted) {
            if (a) {
                acceptedCount++;
            }
        }
        double acceptWall = acceptedCount > 0 ? (lastOk.get() - firstMail.get()) / 1e9 : Double.NaN;
        out.printf(
                Locale.ROOT,
                "%s: %d of %d accepted (%d refused) in %.2f s: %.1f messages/s, %.2f MB/s; latency p50 %.2f ms, p99 %.2f ms%n",
                cmd,
                acceptedCount,
                messages,
                rejected.get(),
                acceptWall,
                acceptedCount / acceptWall,
                sentBytes.get() / 1e6 / acceptWall,
                all.percentileMs(50),
                all.percentileMs(99));
        out.println(d.line());
        Result r = new Result().put("command", cmd).put("run_id", runId).put("clients", clients);
        d.into(r);
        r.put("messages", (long) messages)
                .put("accepted", (long) acceptedCount)
                .put("rejected", rejected.get())
                .put("bytes", sentBytes.get())
                .put("accept_wall_s", acceptWall)
                .put("accepted_per_s", acceptedCount / acceptWall)
                .put("latency_p50_ms", all.percentileMs(50))
                .put("latency_p99_ms", all.percentileMs(99))
                .put("server_cpu_us_per_message", d.serverMicrosPer(acceptedCount))
                .put("generator_cpu_us_per_message", d.generatorMicrosPer(acceptedCount));
        if (maildirRoot != null) {
            verifyStored(r, seen, accepted, acceptedCount, firstMail.get(), c0);
        }
        long f = failures.count();
        r.put("failures", f);
        r.put("verified", f == 0);
        return r;
    }

    private boolean send(Conn c, int index, Latencies lat, AtomicLong firstMail, AtomicLong lastOk, AtomicLong bytes)
            throws IOException {
        byte[] wire = Wire.stuffed(message(index));
        String rcpt = user(index) + "@" + rcptDomain;
        long t0 = System.nanoTime();
        firstMail.accumulateAndGet(t0, Math::min);
        Reply r = c.command("MAIL FROM:<" + from + ">");
        if (r.code != 250) {
            return refused(c, index, "MAIL FROM", r);
        }
        r = c.command("RCPT TO:<" + rcpt + ">");
        if (r.code != 250 && r.code != 251) {
            return refused(c, index, "RCPT TO:<" + rcpt + ">", r);
        }
        r = c.command("DATA");
        if (r.code != 354) {
            return refused(c, index, "DATA", r);
        }
        c.os.write(wire);
        c.os.flush();
        r = readReply(c.in); // LMTP: one reply per accepted recipient, here exactly one
        long t1 = System.nanoTime();
        if (r.code != 250) {
            failures.add("message " + index + ": end of data: " + r);
            return false;
        }
        lastOk.accumulateAndGet(t1, Math::max);
        lat.add(t1 - t0);
        bytes.addAndGet(wire.length);
        return true;
    }

    private boolean refused(Conn c, int index, String what, Reply r) throws IOException {
        failures.add("message " + index + ": " + what + ": " + r);
        expect(c.command("RSET"), 250, "RSET");
        return false;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Path> dirs(String user) {
        Path m = maildir(user);
        return List.of(m.resolve("new"), m.resolve("cur"));
    }

    /** Adds the file names of d to names (a missing directory is empty). */
    private static void list(Path d, Set<String> names) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            for (Path p : s) {
                names.add(p.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            // not created yet
        }
    }

    /** The X-Bench-Id value in the header block of an LF-form message, or null. */
    static String benchId(byte[] lf) {
        byte[] key = "X-Bench-Id: ".getBytes(StandardCharsets.US_ASCII);
        int n = lf.length;
        int lineStart = 0;
        while (lineStart < n) {
            int lf1 = lineStart;
            while (lf1 < n && lf[lf1] != '\n') {
                lf1++;
            }
            if (lf1 == lineStart) {
                return null; // the blank line: end of the header block
            }
            if (lf1 - lineStart > key.length
                    && java.util.Arrays.equals(lf, lineStart, lineStart + key.length, key, 0, key.length)) {
                return new String(lf, lineStart + key.length, lf1 - lineStart - key.length, StandardCharsets.US_ASCII)
                        .trim();
            }
            lineStart = lf1 + 1;
        }
        return null;
    }

    private void verifyStored(
            Result r, Map<Path, Set<String>> seen, boolean[] accepted, int acceptedCount, long firstMail, Cpu.Sample c0)
            throws IOException, InterruptedException {
        String[] foundBase = new String[messages];
        int found = 0;
        long duplicated = 0;
        long mismatched = 0;
        long unaccepted = 0;
        long storedAt = -1;
        long deadline = System.nanoTime() + (long) (waitSeconds * 1e9);
        String prefix = runId + "/";
        int usersUsed = Math.min(users, messages);
        boolean finalPass = false;
        while (true) {
            long pollTime = System.nanoTime();
            for (int u = 0; u < usersUsed; u++) {
                String user = user(u);
                for (Path d : dirs(user)) {
                    Set<String> known = seen.computeIfAbsent(d, k -> new HashSet<>());
                    Set<String> now = new HashSet<>();
                    list(d, now);
                    for (String name : now) {
                        if (!known.add(name)) {
                            continue;
                        }
                        byte[] raw;
                        try {
                            raw = Files.readAllBytes(d.resolve(name));
                        } catch (NoSuchFileException e) {
                            known.remove(name); // moved meanwhile: seen again under its new name
                            continue;
                        }
                        byte[] lf = Wire.toLf(raw);
                        String id = benchId(lf);
                        if (id == null || !id.startsWith(prefix)) {
                            continue; // another run's message, or the server's own (e.g. a welcome message)
                        }
                        int index;
                        try {
                            index = Integer.parseInt(id.substring(prefix.length()));
                        } catch (NumberFormatException e) {
                            index = -1;
                        }
                        if (index < 0 || index >= messages) {
                            failures.add(d.resolve(name) + ": X-Bench-Id " + id + " is not a message of this run");
                            continue;
                        }
                        String base = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
                        if (foundBase[index] != null) {
                            if (!foundBase[index].equals(base)) {
                                duplicated++;
                                failures.add("message " + index + " stored twice: " + foundBase[index] + " and "
                                        + d.resolve(name));
                            }
                            continue;
                        }
                        foundBase[index] = base;
                        if (!user.equals(user(index))) {
                            failures.add("message " + index + " for " + user(index) + " stored in " + d);
                        }
                        if (!Wire.endsWith(lf, message(index))) {
                            mismatched++;
                            failures.add(
                                    d.resolve(name) + ": does not end with message " + index + " as sent (LF form)");
                        }
                        if (accepted[index]) {
                            found++;
                        } else {
                            unaccepted++;
                        }
                    }
                }
            }
            if (finalPass) {
                break;
            }
            if (found == acceptedCount) {
                storedAt = pollTime;
                finalPass = true;
                Thread.sleep(dupGraceMs); // a last look, for duplicates that arrive late
                continue;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(100);
        }
        Cpu.Delta d = cpu.since(c0);
        long lost = acceptedCount - found;
        if (lost > 0) {
            StringBuilder missing = new StringBuilder();
            int shown = 0;
            for (int i = 0; i < messages && shown < 10; i++) {
                if (accepted[i] && foundBase[i] == null) {
                    missing.append(' ').append(i);
                    shown++;
                }
            }
            failures.add(lost + " accepted message(s) not stored after " + waitSeconds + " s, e.g." + missing);
        }
        double storeWall = storedAt > 0 ? (storedAt - firstMail) / 1e9 : Double.NaN;
        out.printf(
                Locale.ROOT,
                "stored: %d of %d accepted in %s (%.1f messages/s); lost %d, duplicated %d, mismatched %d%n",
                found,
                acceptedCount,
                maildirRoot,
                found / storeWall,
                lost,
                duplicated,
                mismatched);
        out.println("to stored " + d.line());
        r.put("stored", (long) found)
                .put("lost", lost)
                .put("duplicated", duplicated)
                .put("mismatched", mismatched)
                .put("stored_unaccepted", unaccepted)
                .put("store_wall_s", storeWall)
                .put("stored_per_s", found / storeWall)
                .put("cpu_generator_to_stored_s", d.generator)
                .put("cpu_server_to_stored_s", d.serverKnown ? d.server : null)
                .put("cpu_rest_to_stored_s", d.rest)
                .put("wall_to_stored_s", d.wall)
                .put("server_cpu_us_per_stored_message", d.serverMicrosPer(found));
    }
}
