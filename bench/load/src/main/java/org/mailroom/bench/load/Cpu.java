package org.mailroom.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time from /proc, in clock ticks: this process, a server's process tree (utime + stime +
 * cutime + cstime of every live process under the root pid, so reaped children count through
 * their parent), and the whole machine's busy time (the "cpu" line of /proc/stat).
 */
final class Cpu {
    static final long TICKS_PER_SECOND = clockTicks();

    /** One reading of the three counters. */
    static final class Sample {
        final long nanos = System.nanoTime();
        final long generatorTicks;
        final long serverTicks;
        final long machineTicks;
        final int serverProcesses;

        Sample(long generatorTicks, long serverTicks, long machineTicks, int serverProcesses) {
            this.generatorTicks = generatorTicks;
            this.serverTicks = serverTicks;
            this.machineTicks = machineTicks;
            this.serverProcesses = serverProcesses;
        }
    }

    /** The difference of two samples, in seconds. */
    static final class Delta {
        final double generator;
        final double server;
        final double rest;
        final double wall;
        final boolean serverKnown;
        final int serverProcesses;

        Delta(Sample a, Sample b, boolean serverKnown) {
            double t = TICKS_PER_SECOND;
            this.generator = (b.generatorTicks - a.generatorTicks) / t;
            this.server = serverKnown ? (b.serverTicks - a.serverTicks) / t : 0;
            this.rest = Math.max(0, (b.machineTicks - a.machineTicks) / t - generator - server);
            this.wall = (b.nanos - a.nanos) / 1e9;
            this.serverKnown = serverKnown;
            this.serverProcesses = b.serverProcesses;
        }

        String line() {
            return String.format(
                    Locale.ROOT,
                    "cpu: generator %.2f s, server %s, rest %.2f s, wall %.2f s",
                    generator,
                    serverKnown ? String.format(Locale.ROOT, "%.2f s (%d processes)", server, serverProcesses) : "n/a",
                    rest,
                    wall);
        }

        void into(Result r) {
            r.put("cpu_generator_s", generator);
            r.put("cpu_server_s", serverKnown ? server : null);
            r.put("cpu_rest_s", rest);
            r.put("wall_s", wall);
        }

        /** Server CPU per unit in microseconds, or null without a server pid or units. */
        Double serverMicrosPer(long units) {
            return serverKnown && units > 0 ? server * 1e6 / units : null;
        }

        Double generatorMicrosPer(long units) {
            return units > 0 ? generator * 1e6 / units : null;
        }
    }

    private final long serverPid;

    Cpu(long serverPid) {
        this.serverPid = serverPid;
    }

    boolean serverKnown() {
        return serverPid > 0;
    }

    Sample sample() {
        long self = processTicks(ProcessHandle.current().pid(), false);
        long server = 0;
        int processes = 0;
        if (serverPid > 0) {
            List<Long> tree = tree(serverPid);
            processes = tree.size();
            for (long pid : tree) {
                server += Math.max(0, processTicks(pid, true));
            }
        }
        return new Sample(self, server, machineBusyTicks(), processes);
    }

    Delta since(Sample start) {
        return new Delta(start, sample(), serverKnown());
    }

    /**
     * utime + stime (+ cutime + cstime when withChildren) of one process, -1 if it is gone. The
     * fields follow the command name, which is in parentheses and may itself contain spaces or
     * parentheses, so parsing starts after the last ')'.
     */
    static long processTicks(long pid, boolean withChildren) {
        String[] f = statFields(pid);
        if (f == null) {
            return -1;
        }
        // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withChildren) {
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks;
    }

    /** Fields 3.. of /proc/pid/stat, or null when the process is gone. */
    private static String[] statFields(long pid) {
        String s;
        try {
            s = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
        int close = s.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        return s.substring(close + 2).trim().split(" ");
    }

    /** The root pid and all its live descendants (from the ppid field of every /proc/N/stat). */
    static List<Long> tree(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Paths.get("/proc"))) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                String[] f = statFields(pid);
                if (f == null) {
                    continue;
                }
                long ppid = Long.parseLong(f[1]);
                children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(pid);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e, e);
        }
        List<Long> out = new ArrayList<>();
        if (statFields(root) == null) {
            return out;
        }
        Deque<Long> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            long pid = todo.poll();
            out.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return out;
    }

    /** Busy ticks of all CPUs: user + nice + system + irq + softirq + steal (guest is inside user). */
    static long machineBusyTicks() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/stat"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long busy = 0;
                    int[] fields = {1, 2, 3, 6, 7, 8};
                    for (int i : fields) {
                        if (i < f.length) {
                            busy += Long.parseLong(f[i]);
                        }
                    }
                    return busy;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat: " + e, e);
        }
        throw new IllegalStateException("no cpu line in /proc/stat");
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            long v = Long.parseLong(out);
            if (v > 0) {
                return v;
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
