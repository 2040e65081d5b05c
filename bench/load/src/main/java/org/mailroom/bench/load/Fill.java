package org.mailroom.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The "fill" command: generated Maildirs and their manifest. */
final class Fill {
    /** Fixed pid field of the file names, so that the same seed gives the same names. */
    static final int NAME_PID = 4242;

    final Path dir;
    final int users;
    final int messages;
    final int minKb;
    final int maxKb;
    final long seed;
    final String prefix;
    final String largeUser;
    final int largeMb;
    final int largeCopies;
    final boolean clean;

    Fill(Opts o) {
        dir = Path.of(o.required("dir"));
        users = o.integer("users", 0);
        messages = o.integer("messages", 0);
        minKb = o.integer("min-kb", 4);
        maxKb = o.integer("max-kb", 50);
        seed = o.longValue("seed", 1);
        prefix = o.str("user-prefix", "load");
        largeMb = o.integer("large-mb", 0);
        largeUser = o.str("large-user", largeMb > 0 ? "big" : null);
        largeCopies = o.integer("large-copies", 1);
        clean = !o.flag("no-clean");
        if (users < 0 || messages < 0 || minKb < 0 || maxKb < minKb) {
            throw new IllegalArgumentException("need --users >= 0, --messages >= 0 and 0 <= --min-kb <= --max-kb");
        }
        if (largeUser != null && largeMb <= 0) {
            throw new IllegalArgumentException("--large-user needs --large-mb > 0");
        }
        if (largeCopies < 1) {
            throw new IllegalArgumentException("--large-copies must be at least 1");
        }
    }

    /** Names of the large users: the name itself, or name0..name(K-1) with --large-copies K > 1. */
    List<String> largeUsers() {
        List<String> out = new ArrayList<>();
        if (largeUser == null) {
            return out;
        }
        if (largeCopies == 1) {
            out.add(largeUser);
        } else {
            for (int i = 0; i < largeCopies; i++) {
                out.add(largeUser + i);
            }
        }
        return out;
    }

    static String fileName(int n, long size, long wireSize) {
        return (1700000000L + n) + ".M" + ((n * 7919L) % 1000000) + "P" + NAME_PID + "Q" + n + ".bench,S=" + size
                + ",W=" + wireSize + ":2,";
    }

    Result run(PrintStream out) throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        int threads = Math.max(1, Math.min(users, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<StringBuilder>> parts = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            String user = prefix + u;
            parts.add(pool.submit(() -> fillUser(user)));
        }
        long wire = 0;
        StringBuilder manifest = new StringBuilder();
        try {
            for (Future<StringBuilder> f : parts) {
                manifest.append(f.get());
            }
        } finally {
            pool.shutdown();
        }
        for (String line : manifest.toString().split("\n")) {
            if (!line.isEmpty()) {
                wire += Long.parseLong(line.split("\t")[1]);
            }
        }
        long largeWire = 0;
        List<String> large = largeUsers();
        if (!large.isEmpty()) {
            String first = large.get(0);
            SplittableRandom rnd = new SplittableRandom(MessageGen.mix(seed, "large:" + first));
            int size = (int) Math.min(Integer.MAX_VALUE - 16, (long) largeMb * 1024 * 1024);
            byte[] m = MessageGen.large(rnd, first + "@bench.test", 0, first + "/0", size);
            long ws = Wire.wireSize(m);
            long crc = Wire.wireCrc(m);
            Path firstFile = null;
            for (String user : large) {
                Path cur = maildir(user);
                Path file = cur.resolve(fileName(0, m.length, ws));
                if (firstFile == null) {
                    Files.write(file, m);
                    firstFile = file;
                } else {
                    try {
                        Files.createLink(file, firstFile);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.write(file, m);
                    }
                }
                manifest.append(Manifest.line(user, ws, crc, first + "/0"));
                largeWire += ws;
            }
        }
        Files.writeString(dir.resolve("manifest.tsv"), manifest, StandardCharsets.UTF_8);
        double secs = (System.nanoTime() - t0) / 1e9;
        long total = (long) users * messages;
        out.printf(
                Locale.ROOT,
                "fill: %d users x %d messages (%d-%d KB), %.1f MB wire form, in %s%n",
                users,
                messages,
                minKb,
                maxKb,
                wire / 1e6,
                dir);
        if (!large.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "fill: large user(s) %s: one message of %d MB each%n",
                    String.join(",", large),
                    largeMb);
        }
        out.printf(Locale.ROOT, "fill: wrote %s/manifest.tsv in %.2f s%n", dir, secs);
        return new Result()
                .put("command", "fill")
                .put("verified", true)
                .put("failures", 0)
                .put("users", users)
                .put("messages_per_user", messages)
                .put("messages", total)
                .put("wire_bytes", wire)
                .put("large_users", large.size())
                .put("large_wire_bytes", largeWire)
                .put("seed", seed)
                .put("wall_s", secs);
    }

    /** A clean Maildir for the user (the old one removed unless --no-clean); returns its cur/. */
    private Path maildir(String user) throws IOException {
        Path home = dir.resolve(user);
        if (clean && Files.exists(home)) {
            deleteTree(home);
        }
        for (String sub : new String[] {"new", "cur", "tmp"}) {
            Files.createDirectories(home.resolve(sub));
        }
        return home.resolve("cur");
    }

    private StringBuilder fillUser(String user) throws IOException {
        Path cur = maildir(user);
        SplittableRandom rnd = new SplittableRandom(MessageGen.mix(seed, user));
        StringBuilder manifest = new StringBuilder(messages * 40);
        int min = minKb * 1024;
        int span = (maxKb - minKb) * 1024;
        for (int n = 0; n < messages; n++) {
            int size = min + (span > 0 ? rnd.nextInt(span + 1) : 0);
            String benchId = user + "/" + n;
            byte[] m = MessageGen.text(rnd, user + "@bench.test", n, benchId, size);
            long ws = Wire.wireSize(m);
            long crc = Wire.wireCrc(m);
            try {
                Files.write(cur.resolve(fileName(n, m.length, ws)), m);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to " + cur + ": " + e.getMessage(), e);
            }
            manifest.append(Manifest.line(user, ws, crc, benchId));
        }
        return manifest;
    }

    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
