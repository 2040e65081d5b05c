package org.mailroom.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/** The "pop3" command: the scenarios full, large, churn, login-under-load and idle. */
final class Pop3Bench {
    static final int WARMUP = 0;
    static final int MEASURE = 1;
    static final int STOP = 2;
    static final int BUFFER = 64 * 1024;
    static final int IDLE_BUFFER = 512;

    private final PrintStream out;
    private final InputStreamReader stdin;
    private final Net net;
    private final String scenario;
    private final Manifest manifest;
    private final List<String> users = new ArrayList<>();
    private final List<String> largeUsers = new ArrayList<>();
    private final String password;
    private final int clients;
    private final double seconds;
    private final double warmup;
    private final String probeUser;
    private final int retrPerSession;
    private final int idleParallel;
    private final Cpu cpu;
    private final Failures failures;
    private final AtomicLong inUse = new AtomicLong();

    private volatile int phase = WARMUP;

    Pop3Bench(Opts o, PrintStream out, InputStreamReader stdin) throws IOException {
        this.out = out;
        this.stdin = stdin;
        this.failures = new Failures(out);
        scenario = o.required("scenario");
        Net.Tls tls = o.flag("tls") ? Net.Tls.IMPLICIT : o.flag("stls") ? Net.Tls.STARTTLS : Net.Tls.NONE;
        if (o.flag("tls") && o.flag("stls")) {
            throw new IllegalArgumentException("--tls (POP3S) and --stls (STLS on the plain port) exclude each other");
        }
        net = new Net(o.str("host", "127.0.0.1"), o.integer("port", 0), tls);
        if (net.port <= 0) {
            throw new IllegalArgumentException("option --port is required");
        }
        String manifestFile = o.str("manifest", null);
        manifest = manifestFile == null ? null : Manifest.read(Path.of(manifestFile));
        String prefix = o.str("user-prefix", "load");
        int n = o.integer("users", -1);
        if (n < 0) {
            if (manifest == null) {
                throw new IllegalArgumentException(
                        "give --manifest (or --users N without verification, churn and idle only)");
            }
            n = 0;
            while (manifest.mailbox(prefix + n) != null) {
                n++;
            }
        }
        for (int i = 0; i < n; i++) {
            users.add(prefix + i);
        }
        password = o.str("password", "load");
        clients = o.integer("clients", scenario.equals("large") ? 1 : scenario.equals("idle") ? 100 : 8);
        seconds = o.dbl("seconds", 10);
        warmup = o.dbl("warmup-seconds", 2);
        retrPerSession = o.integer("retr-per-session", 1);
        idleParallel = o.integer("connect-parallelism", 32);
        String load = o.str("load-user", null);
        if (load != null) {
            for (String u : load.split(",")) {
                largeUsers.add(u.trim());
            }
        } else if (manifest != null) {
            String large = o.str("large-user", "big");
            for (String u : manifest.users.keySet()) {
                if (u.equals(large)
                        || (u.startsWith(large) && u.substring(large.length()).matches("[0-9]+"))) {
                    largeUsers.add(u);
                }
            }
        } else {
            o.str("large-user", null);
        }
        probeUser = o.str("probe-user", users.isEmpty() ? null : users.get(0));
        cpu = new Cpu(o.longValue("server-pid", 0));
        if (clients < 1 || seconds <= 0 || warmup < 0 || retrPerSession < 1 || idleParallel < 1) {
            throw new IllegalArgumentException("need --clients >= 1, --seconds > 0, --warmup-seconds >= 0");
        }
        if (!scenario.equals("idle") && clients > 64) {
            out.println("note: " + clients + " clients is more than the 64 this generator is meant for");
        }
    }

    Result run() throws Exception {
        out.printf(
                Locale.ROOT,
                "pop3 %s: %s:%d%s, %d client(s), %d user(s)%s%n",
                scenario,
                net.host,
                net.port,
                net.tls == Net.Tls.IMPLICIT ? " (POP3S)" : net.tls == Net.Tls.STARTTLS ? " (STLS)" : "",
                clients,
                users.size(),
                scenario.equals("idle")
                        ? ""
                        : String.format(Locale.ROOT, ", %.0f s after %.0f s warm-up", seconds, warmup));
        Result r;
        switch (scenario) {
            case "full":
                r = full();
                break;
            case "large":
                r = large();
                break;
            case "churn":
                r = churn();
                break;
            case "login-under-load":
                r = loginUnderLoad();
                break;
            case "idle":
                r = idle();
                break;
            default:
                throw new IllegalArgumentException(
                        "unknown scenario '" + scenario + "' (full, large, churn, login-under-load, idle)");
        }
        if (inUse.get() > 0) {
            out.println("note: " + inUse.get() + " login(s) refused with [IN-USE]: the server locks a mailbox per"
                    + " session; give each client its own user (more --users, or fill --large-copies)");
        }
        long f = failures.count();
        r.put("in_use", inUse.get());
        r.put("failures", f);
        r.put("verified", f == 0);
        return r;
    }

    private Result base() {
        return new Result().put("command", "pop3").put("scenario", scenario).put("clients", clients);
    }

    // ---------------------------------------------------------------- shared machinery

    /** Hands out users so that no two clients use one mailbox at once (servers may lock it). */
    static final class Dispenser {
        private final AtomicBoolean[] busy;

        Dispenser(int n) {
            busy = new AtomicBoolean[n];
            for (int i = 0; i < n; i++) {
                busy[i] = new AtomicBoolean();
            }
        }

        /** The first free user after 'after' (cyclically), waiting while all are taken. */
        int claim(int after) throws InterruptedException {
            int n = busy.length;
            while (true) {
                for (int k = 1; k <= n; k++) {
                    int u = Math.floorMod(after + k, n);
                    if (busy[u].compareAndSet(false, true)) {
                        return u;
                    }
                }
                Thread.sleep(1);
            }
        }

        void release(int u) {
            busy[u].set(false);
        }
    }

    private interface Worker {
        void run(int index, Stats stats) throws Exception;
    }

    /** What one client thread measured inside the window. */
    static final class Stats {
        final Latencies retr = new Latencies();
        final Latencies login = new Latencies();
        final Latencies probeBase = new Latencies();
        final Latencies probeLoad = new Latencies();
        long messages;
        long bytes;
        long sessions;
        long logins;
    }

    private void failure(String what, Exception e) {
        if (e instanceof Pop3Client.ErrReply && ((Pop3Client.ErrReply) e).inUse()) {
            inUse.incrementAndGet();
        }
        if (Net.isEmfile(e)) {
            failures.add(what + ": EMFILE, the generator ran out of file descriptors (" + Main.openFileLimit() + ")");
        } else {
            failures.add(what + ": " + e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean inWindow(int phaseAtStart) {
        return phaseAtStart == MEASURE && phase == MEASURE;
    }

    /** Starts the workers, discards the warm-up, measures 'seconds', stops and merges. */
    private Object[] timed(int threads, Worker worker) throws Exception {
        phase = WARMUP;
        List<Thread> ts = new ArrayList<>();
        List<Stats> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Stats s = new Stats();
            all.add(s);
            int index = i;
            Thread t = new Thread(
                    () -> {
                        try {
                            worker.run(index, s);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (Exception e) {
                            failures.add("client " + index + " stopped: " + e);
                        }
                    },
                    "client-" + i);
            t.setDaemon(true);
            ts.add(t);
        }
        ts.forEach(Thread::start);
        sleep(warmup);
        Cpu.Sample start = cpu.sample();
        phase = MEASURE;
        sleep(seconds);
        phase = STOP;
        Cpu.Delta d = cpu.since(start);
        for (Thread t : ts) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            if (t.isAlive()) {
                failures.add(t.getName() + " did not stop within 60 s");
            }
        }
        Stats sum = new Stats();
        for (Stats s : all) {
            sum.retr.addAll(s.retr);
            sum.login.addAll(s.login);
            sum.probeBase.addAll(s.probeBase);
            sum.probeLoad.addAll(s.probeLoad);
            sum.messages += s.messages;
            sum.bytes += s.bytes;
            sum.sessions += s.sessions;
            sum.logins += s.logins;
        }
        return new Object[] {sum, d};
    }

    private static void sleep(double secs) throws InterruptedException {
        Thread.sleep((long) (secs * 1000));
    }

    private void report(Result r, Cpu.Delta d) {
        out.println(d.line());
        d.into(r);
    }

    private Manifest.Mailbox mailbox(String user) {
        if (manifest == null) {
            return null;
        }
        Manifest.Mailbox mb = manifest.mailbox(user);
        if (mb == null) {
            throw new IllegalArgumentException("user " + user + " is not in the manifest");
        }
        return mb;
    }

    private void requireManifest() {
        if (manifest == null) {
            throw new IllegalArgumentException("scenario " + scenario + " verifies messages: give --manifest");
        }
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f ms", v);
    }

    // ---------------------------------------------------------------- full

    private Result full() throws Exception {
        requireManifest();
        if (users.isEmpty()) {
            throw new IllegalArgumentException("no users: the manifest has none with this --user-prefix");
        }
        for (String u : users) {
            mailbox(u);
        }
        Dispenser disp = new Dispenser(users.size());
        Object[] res = timed(clients, (i, s) -> {
            int u = Math.floorMod(i - 1, users.size());
            CRC32 crc = new CRC32();
            while (phase != STOP) {
                u = disp.claim(u);
                try {
                    fullSession(users.get(u), s, crc);
                } catch (IOException e) {
                    failure("session of " + users.get(u), e);
                    pause();
                } finally {
                    disp.release(u);
                }
            }
        });
        Stats s = (Stats) res[0];
        Cpu.Delta d = (Cpu.Delta) res[1];
        Result r = base();
        double mbps = s.bytes / 1e6 / d.wall;
        out.printf(
                Locale.ROOT,
                "full: %d messages (%.1f MB) in %d sessions: %.1f messages/s, %.2f MB/s, %.2f sessions/s%n",
                s.messages,
                s.bytes / 1e6,
                s.sessions,
                s.messages / d.wall,
                mbps,
                s.sessions / d.wall);
        out.printf(
                Locale.ROOT,
                "RETR latency p50 %s, p90 %s, p99 %s; login latency p50 %s, p99 %s%n",
                ms(s.retr.percentileMs(50)),
                ms(s.retr.percentileMs(90)),
                ms(s.retr.percentileMs(99)),
                ms(s.login.percentileMs(50)),
                ms(s.login.percentileMs(99)));
        report(r, d);
        r.put("messages", s.messages)
                .put("bytes", s.bytes)
                .put("sessions", s.sessions)
                .put("messages_per_s", s.messages / d.wall)
                .put("mb_per_s", mbps)
                .put("sessions_per_s", s.sessions / d.wall)
                .put("retr_p50_ms", s.retr.percentileMs(50))
                .put("retr_p90_ms", s.retr.percentileMs(90))
                .put("retr_p99_ms", s.retr.percentileMs(99))
                .put("login_p50_ms", s.login.percentileMs(50))
                .put("login_p99_ms", s.login.percentileMs(99))
                .put("server_cpu_us_per_message", d.serverMicrosPer(s.messages))
                .put("generator_cpu_us_per_message", d.generatorMicrosPer(s.messages));
        perUnit("message", d, s.messages);
        return r;
    }

    private void perUnit(String unit, Cpu.Delta d, long n) {
        if (n > 0) {
            out.printf(
                    Locale.ROOT,
                    "cpu per %s: server %s, generator %.1f us%n",
                    unit,
                    d.serverKnown ? String.format(Locale.ROOT, "%.1f us", d.server * 1e6 / n) : "n/a",
                    d.generator * 1e6 / n);
        }
    }

    private void fullSession(String user, Stats s, CRC32 crc) throws IOException {
        Manifest.Mailbox mb = mailbox(user);
        int startPhase = phase;
        long t0 = System.nanoTime();
        Pop3Client c = Pop3Client.open(net, BUFFER);
        try {
            c.login(user, password);
            long t1 = System.nanoTime();
            if (inWindow(startPhase)) {
                s.login.add(t1 - t0);
            }
            long[] stat = c.stat();
            if (stat[0] != mb.count || stat[1] != mb.wireTotal) {
                failures.add(String.format(
                        Locale.ROOT,
                        "%s: STAT says %d messages, %d octets; the manifest %d, %d",
                        user,
                        stat[0],
                        stat[1],
                        mb.count,
                        mb.wireTotal));
            }
            int count = (int) stat[0];
            long[] sizes = c.list(count);
            List<String> uidl = c.uidl();
            if (uidl.size() != count) {
                failures.add(user + ": UIDL lists " + uidl.size() + " messages, STAT " + count);
            } else {
                Set<String> uids = new HashSet<>();
                for (String l : uidl) {
                    int sp = l.indexOf(' ');
                    if (sp < 0 || !uids.add(l.substring(sp + 1))) {
                        failures.add(user + ": bad or repeated UIDL line '" + l + "'");
                        break;
                    }
                }
            }
            for (int k = 1; k <= count; k++) {
                if (phase == STOP) {
                    break;
                }
                int p = phase;
                crc.reset();
                long t = System.nanoTime();
                long octets = c.retr(k, crc);
                long lat = System.nanoTime() - t;
                if (octets != sizes[k]) {
                    failures.add(String.format(
                            Locale.ROOT,
                            "%s message %d: RETR gave %d octets after unstuffing, LIST said %d",
                            user,
                            k,
                            octets,
                            sizes[k]));
                } else if (!mb.contains(octets, crc.getValue())) {
                    failures.add(String.format(
                            Locale.ROOT,
                            "%s message %d: %d octets with crc32 %08x: no such message in the manifest",
                            user,
                            k,
                            octets,
                            crc.getValue()));
                }
                if (inWindow(p)) {
                    s.retr.add(lat);
                    s.messages++;
                    s.bytes += octets;
                }
            }
            c.quit();
            if (phase == MEASURE) {
                s.sessions++;
            }
        } finally {
            c.close();
        }
    }

    // ---------------------------------------------------------------- large

    private List<String> largeUsersOrFail() {
        requireManifest();
        if (largeUsers.isEmpty()) {
            throw new IllegalArgumentException("no large user in the manifest (fill --large-user big --large-mb 20,"
                    + " or name it with --large-user / --load-user)");
        }
        for (String u : largeUsers) {
            mailbox(u);
        }
        return largeUsers;
    }

    /** One download session of the large message: login and LIST untimed, RETR timed. */
    private void largeSession(String user, Stats s, CRC32 crc, AtomicInteger phaseSource) throws IOException {
        Manifest.Mailbox mb = mailbox(user);
        Pop3Client c = Pop3Client.open(net, BUFFER);
        try {
            c.login(user, password);
            for (int k = 0; k < retrPerSession; k++) {
                int p = phaseSource == null ? phase : phaseSource.get();
                if (p == STOP) {
                    break;
                }
                long size = c.listOne(1);
                crc.reset();
                long t = System.nanoTime();
                long octets = c.retr(1, crc);
                long lat = System.nanoTime() - t;
                if (octets != size) {
                    failures.add(String.format(
                            Locale.ROOT, "%s message 1: RETR gave %d octets, LIST said %d", user, octets, size));
                } else if (!mb.contains(octets, crc.getValue())) {
                    failures.add(String.format(
                            Locale.ROOT,
                            "%s message 1: %d octets with crc32 %08x: no such message in the manifest",
                            user,
                            octets,
                            crc.getValue()));
                }
                int now = phaseSource == null ? phase : phaseSource.get();
                if (p == MEASURE && now == MEASURE) {
                    s.retr.add(lat);
                    s.messages++;
                    s.bytes += octets;
                }
            }
            c.quit();
        } finally {
            c.close();
        }
    }

    private Result large() throws Exception {
        List<String> lu = largeUsersOrFail();
        Object[] res = timed(clients, (i, s) -> {
            String user = lu.get(i % lu.size());
            CRC32 crc = new CRC32();
            while (phase != STOP) {
                try {
                    largeSession(user, s, crc, null);
                } catch (IOException e) {
                    failure("download of " + user, e);
                    pause();
                }
            }
        });
        Stats s = (Stats) res[0];
        Cpu.Delta d = (Cpu.Delta) res[1];
        double mbps = s.bytes / 1e6 / d.wall;
        out.printf(
                Locale.ROOT,
                "large: %d downloads (%.1f MB) of %s: %.2f MB/s; RETR p50 %s, p99 %s%n",
                s.messages,
                s.bytes / 1e6,
                String.join(",", lu.subList(0, Math.min(clients, lu.size()))),
                mbps,
                ms(s.retr.percentileMs(50)),
                ms(s.retr.percentileMs(99)));
        Result r = base();
        report(r, d);
        perUnit("MB", d, Math.round(s.bytes / 1e6));
        return r.put("downloads", s.messages)
                .put("bytes", s.bytes)
                .put("mb_per_s", mbps)
                .put("retr_p50_ms", s.retr.percentileMs(50))
                .put("retr_p99_ms", s.retr.percentileMs(99))
                .put("server_cpu_us_per_mb", s.bytes > 0 && d.serverKnown ? d.server * 1e6 / (s.bytes / 1e6) : null)
                .put("generator_cpu_us_per_mb", s.bytes > 0 ? d.generator * 1e6 / (s.bytes / 1e6) : null);
    }

    // ---------------------------------------------------------------- churn

    /** Connect, greeting, USER/PASS (timed: connect to +OK of PASS), QUIT. Returns the latency. */
    private long loginOnce(String user) throws IOException {
        long t0 = System.nanoTime();
        Pop3Client c = Pop3Client.open(net, 4096);
        try {
            c.login(user, password);
            long lat = System.nanoTime() - t0;
            c.quit();
            return lat;
        } finally {
            c.close();
        }
    }

    private Result churn() throws Exception {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("no users: give --manifest or --users N");
        }
        Dispenser disp = new Dispenser(users.size());
        Object[] res = timed(clients, (i, s) -> {
            int u = Math.floorMod(i - 1, users.size());
            while (phase != STOP) {
                u = disp.claim(u);
                int p = phase;
                try {
                    long lat = loginOnce(users.get(u));
                    if (inWindow(p)) {
                        s.login.add(lat);
                        s.logins++;
                    }
                } catch (IOException e) {
                    failure("login of " + users.get(u), e);
                    pause();
                } finally {
                    disp.release(u);
                }
            }
        });
        Stats s = (Stats) res[0];
        Cpu.Delta d = (Cpu.Delta) res[1];
        out.printf(
                Locale.ROOT,
                "churn: %d logins: %.1f logins/s; login latency p50 %s, p99 %s%n",
                s.logins,
                s.logins / d.wall,
                ms(s.login.percentileMs(50)),
                ms(s.login.percentileMs(99)));
        Result r = base();
        report(r, d);
        perUnit("login", d, s.logins);
        return r.put("logins", s.logins)
                .put("logins_per_s", s.logins / d.wall)
                .put("login_p50_ms", s.login.percentileMs(50))
                .put("login_p99_ms", s.login.percentileMs(99))
                .put("server_cpu_us_per_login", d.serverMicrosPer(s.logins))
                .put("generator_cpu_us_per_login", d.generatorMicrosPer(s.logins));
    }

    // ---------------------------------------------------------------- login-under-load

    private Result loginUnderLoad() throws Exception {
        List<String> lu = largeUsersOrFail();
        if (probeUser == null) {
            throw new IllegalArgumentException("no prober user: give --probe-user");
        }
        if (lu.contains(probeUser)) {
            throw new IllegalArgumentException("the prober's user " + probeUser + " is also a download user");
        }
        // bucket: 0 none (warm-up), 1 baseline, 2 loaded, 3 stop
        AtomicInteger bucket = new AtomicInteger(0);
        AtomicInteger dlPhase = new AtomicInteger(WARMUP);
        Stats probe = new Stats();
        Thread prober = new Thread(
                () -> {
                    while (bucket.get() != 3) {
                        int b = bucket.get();
                        try {
                            long lat = loginOnce(probeUser);
                            if (b == bucket.get()) {
                                if (b == 1) {
                                    probe.probeBase.add(lat);
                                } else if (b == 2) {
                                    probe.probeLoad.add(lat);
                                }
                            }
                        } catch (IOException e) {
                            failure("prober login of " + probeUser, e);
                            pause();
                        }
                    }
                },
                "prober");
        prober.setDaemon(true);
        prober.start();
        sleep(warmup);
        Cpu.Sample b0 = cpu.sample();
        bucket.set(1);
        sleep(seconds);
        bucket.set(0);
        Cpu.Delta baseCpu = cpu.since(b0);
        out.printf(
                Locale.ROOT,
                "idle server: %d prober logins, p50 %s, p99 %s%n",
                probe.probeBase.size(),
                ms(probe.probeBase.percentileMs(50)),
                ms(probe.probeBase.percentileMs(99)));
        out.println("baseline " + baseCpu.line());

        List<Thread> downloaders = new ArrayList<>();
        List<Stats> dlStats = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String user = lu.get(i % lu.size());
            Stats s = new Stats();
            dlStats.add(s);
            Thread t = new Thread(
                    () -> {
                        CRC32 crc = new CRC32();
                        while (dlPhase.get() != STOP) {
                            try {
                                largeSession(user, s, crc, dlPhase);
                            } catch (IOException e) {
                                failure("download of " + user, e);
                                pause();
                            }
                        }
                    },
                    "download-" + i);
            t.setDaemon(true);
            downloaders.add(t);
        }
        downloaders.forEach(Thread::start);
        sleep(warmup);
        Cpu.Sample l0 = cpu.sample();
        dlPhase.set(MEASURE);
        bucket.set(2);
        sleep(seconds);
        bucket.set(3);
        dlPhase.set(STOP);
        Cpu.Delta d = cpu.since(l0);
        prober.join(60_000);
        for (Thread t : downloaders) {
            t.join(60_000);
        }
        long bytes = 0;
        long downloads = 0;
        for (Stats s : dlStats) {
            bytes += s.bytes;
            downloads += s.messages;
        }
        double p99Base = probe.probeBase.percentileMs(99);
        double p99Load = probe.probeLoad.percentileMs(99);
        double mbps = bytes / 1e6 / d.wall;
        out.printf(
                Locale.ROOT,
                "under load (%d downloaders of %s, %.2f MB/s, %d downloads): %d prober logins, p50 %s, p99 %s%n",
                clients,
                String.join(",", lu.subList(0, Math.min(clients, lu.size()))),
                mbps,
                downloads,
                probe.probeLoad.size(),
                ms(probe.probeLoad.percentileMs(50)),
                ms(p99Load));
        out.printf(Locale.ROOT, "login p99 under load / idle: %.2f%n", p99Load / p99Base);
        Result r = base();
        report(r, d);
        return r.put("baseline_logins", (long) probe.probeBase.size())
                .put("baseline_login_p50_ms", probe.probeBase.percentileMs(50))
                .put("baseline_login_p99_ms", p99Base)
                .put("loaded_logins", (long) probe.probeLoad.size())
                .put("loaded_login_p50_ms", probe.probeLoad.percentileMs(50))
                .put("loaded_login_p99_ms", p99Load)
                .put("login_p99_ratio", p99Load / p99Base)
                .put("downloads", downloads)
                .put("download_bytes", bytes)
                .put("download_mb_per_s", mbps)
                .put("baseline_cpu_server_s", baseCpu.serverKnown ? baseCpu.server : null)
                .put("baseline_wall_s", baseCpu.wall);
    }

    // ---------------------------------------------------------------- idle

    private Result idle() throws Exception {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("no users: give --manifest or --users N");
        }
        int n = clients;
        net.watchdog = false;
        Pop3Client[] conns = new Pop3Client[n];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean emfile = new AtomicBoolean();
        AtomicLong connectFailures = new AtomicLong();
        Cpu.Sample s0 = cpu.sample();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(idleParallel, n));
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < Math.min(idleParallel, n); t++) {
            fs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n && !emfile.get()) {
                    String user = users.get(i % users.size());
                    Pop3Client c = null;
                    try {
                        c = Pop3Client.open(net, IDLE_BUFFER);
                        c.login(user, password);
                        conns[i] = c;
                    } catch (IOException e) {
                        if (c != null) {
                            c.close();
                        }
                        connectFailures.incrementAndGet();
                        if (Net.isEmfile(e)) {
                            if (emfile.compareAndSet(false, true)) {
                                out.println("EMFILE: the generator hit its open-file limit (" + Main.openFileLimit()
                                        + ") at connection " + i + " of " + n
                                        + "; raise it (ulimit -n) before running, this tool does not");
                            }
                        }
                        failure("idle connection " + i + " (" + user + ")", e);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        Cpu.Delta open = cpu.since(s0);
        int opened = 0;
        for (Pop3Client c : conns) {
            if (c != null) {
                opened++;
            }
        }
        out.printf(
                Locale.ROOT,
                "idle: %d of %d connections logged in in %.2f s (%.0f logins/s)%n",
                opened,
                n,
                open.wall,
                opened / open.wall);
        out.println(open.line());
        synchronized (out) {
            out.println("IDLE_READY " + opened);
            out.flush();
        }
        long w0 = System.nanoTime();
        new BufferedReader(stdin).readLine(); // the orchestrator measures memory meanwhile
        double held = (System.nanoTime() - w0) / 1e9;
        long noopOk = 0;
        long dropped = 0;
        final int batch = 256;
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            boolean[] sent = new boolean[to - from];
            for (int i = from; i < to; i++) {
                if (conns[i] == null) {
                    continue;
                }
                try {
                    conns[i].sendOnly("NOOP");
                    sent[i - from] = true;
                } catch (IOException e) {
                    dropped++;
                    failure("NOOP on idle connection " + i + " (dropped by the server?)", e);
                }
            }
            for (int i = from; i < to; i++) {
                if (!sent[i - from]) {
                    continue;
                }
                try {
                    Pop3Client.expectOk("NOOP", conns[i].readReply());
                    noopOk++;
                } catch (IOException e) {
                    dropped++;
                    failure("NOOP on idle connection " + i + " (dropped by the server?)", e);
                    conns[i].close();
                    conns[i] = null;
                }
            }
        }
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            for (int i = from; i < to; i++) {
                if (conns[i] != null) {
                    try {
                        conns[i].sendOnly("QUIT");
                    } catch (IOException e) {
                        conns[i].close();
                        conns[i] = null;
                    }
                }
            }
            for (int i = from; i < to; i++) {
                if (conns[i] != null) {
                    try {
                        conns[i].readReply();
                    } catch (IOException e) {
                        // QUIT's reply does not matter any more
                    } finally {
                        conns[i].close();
                    }
                }
            }
        }
        out.printf(Locale.ROOT, "idle: held %.1f s; NOOP +OK on %d of %d, %d dropped%n", held, noopOk, opened, dropped);
        Result r = base();
        open.into(r);
        perUnit("login", open, opened);
        return r.put("requested", (long) n)
                .put("opened", (long) opened)
                .put("connect_failures", connectFailures.get())
                .put("emfile", emfile.get())
                .put("noop_ok", noopOk)
                .put("dropped", dropped)
                .put("held_s", held)
                .put("logins_per_s", opened / open.wall)
                .put("server_cpu_us_per_login", open.serverMicrosPer(opened));
    }
}
