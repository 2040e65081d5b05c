package org.mailroom.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mailroom.testing.Poll;

/**
 * The Mailroom distribution as an operating system process of its own: unpacked from the
 * assembly tarball, started with {@code bin/karaf server}, and killed with SIGKILL, which Pax
 * Exam cannot do to its container. The launcher script stays the parent of the Karaf JVM; the
 * kill goes to that JVM, found among the script's descendants.
 */
final class ExternalServer implements AutoCloseable {

    /** Exit status of the launcher after its JVM died of SIGKILL: the script exits with the JVM's 128 + 9. */
    static final int SIGKILL_STATUS = 137;

    private final Path home;
    private final Path logs;
    private final Map<String, String> env;
    private final int probePort;
    private Process launcher;
    private int starts;
    /** Kills the server if the test JVM ends without {@link #close} (a fork timeout, Ctrl-C). */
    private final Thread shutdownHook = new Thread(this::killEverything, "external-server-cleanup");

    private ExternalServer(Path home, Path logs, Map<String, String> env, int probePort) {
        this.home = home;
        this.logs = logs;
        this.env = env;
        this.probePort = probePort;
    }

    /**
     * Unpacks the distribution into {@code dir} (with the system's tar, which keeps the scripts'
     * modes) and returns the server, not started yet.
     *
     * @param probePort the port whose accepting connections means the server is up
     */
    static ExternalServer unpack(Path tarball, Path dir, Map<String, String> env, int probePort)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path unpacked = dir.resolve("dist");
        Files.createDirectories(unpacked);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", unpacked.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("tar.out").toFile())
                .start();
        if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            tar.destroyForcibly();
            throw new IOException("tar xzf " + tarball + " failed: " + Files.readString(dir.resolve("tar.out")));
        }
        Path home;
        try (Stream<Path> top = Files.list(unpacked)) {
            List<Path> dirs = top.filter(Files::isDirectory).toList();
            if (dirs.size() != 1) {
                throw new IOException("expected one folder in " + tarball + ", found " + dirs);
            }
            home = dirs.get(0);
        }
        Map<String, String> all = new LinkedHashMap<>(env);
        all.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        return new ExternalServer(home, dir, all, probePort);
    }

    Path home() {
        return home;
    }

    /** How many times the server was started. */
    int starts() {
        return starts;
    }

    /** Rewrites {@code key = ...} of one of the unpacked distribution's {@code etc/} files. */
    void setConfig(String file, String key, String value) throws IOException {
        Path cfg = home.resolve("etc").resolve(file);
        List<String> lines = Files.readAllLines(cfg, StandardCharsets.UTF_8);
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("#")
                    && line.contains("=")
                    && line.substring(0, line.indexOf('=')).trim().equals(key)) {
                lines.set(i, key + " = " + value);
                found = true;
            }
        }
        if (!found) {
            lines.add(key + " = " + value);
        }
        Files.write(cfg, lines, StandardCharsets.UTF_8);
    }

    /** Starts {@code bin/karaf server} and waits until the probe port accepts connections. */
    void start(Duration timeout) throws IOException, InterruptedException {
        if (launcher != null && launcher.isAlive()) {
            throw new IllegalStateException("already running");
        }
        starts++;
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("karaf-" + starts + ".out").toFile());
        pb.environment().putAll(env);
        if (starts == 1) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        launcher = pb.start();
        Process started = launcher;
        Poll.until("Mailroom (start " + starts + ") accepting on port " + probePort, timeout, () -> {
            if (!started.isAlive()) {
                throw new AssertionError("bin/karaf server exited with " + started.exitValue() + " (start " + starts
                        + "), see " + logs.resolve("karaf-" + starts + ".out") + " and " + karafLog());
            }
            return accepts(probePort);
        });
    }

    /** The Karaf JVM: the launcher's descendant that runs java. */
    Optional<ProcessHandle> jvm() {
        Process p = launcher;
        if (p == null) {
            return Optional.empty();
        }
        return p.descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst();
    }

    /**
     * Kills the Karaf JVM with SIGKILL ({@link ProcessHandle#destroyForcibly} on Unix) and checks
     * that it died of it: the launcher script reports the JVM's exit status 137.
     *
     * @return the pid killed
     */
    long kill() throws InterruptedException {
        ProcessHandle jvm = jvm().orElseThrow(() -> new AssertionError("no Karaf JVM under " + launcher.pid()));
        long pid = jvm.pid();
        if (!jvm.destroyForcibly()) {
            throw new AssertionError("could not send SIGKILL to " + pid);
        }
        try {
            jvm.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Karaf JVM " + pid + " still alive 20 s after SIGKILL", e);
        }
        if (!launcher.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("bin/karaf still running 20 s after its JVM " + pid + " was killed");
        }
        if (launcher.exitValue() != SIGKILL_STATUS) {
            throw new AssertionError("bin/karaf exited with " + launcher.exitValue() + ", not " + SIGKILL_STATUS
                    + " (SIGKILL of its JVM)");
        }
        return pid;
    }

    Path karafLog() {
        return home.resolve("data/log/karaf.log");
    }

    /** Kills whatever of this server still runs (the JVM and the launcher), forcibly; never throws. */
    @Override
    public void close() {
        killEverything();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or never started
        }
    }

    private void killEverything() {
        Process p = launcher;
        if (p == null) {
            return;
        }
        try {
            List<ProcessHandle> descendants = p.descendants().toList();
            for (ProcessHandle h : descendants) {
                h.destroyForcibly();
            }
            p.destroyForcibly();
            for (ProcessHandle h : descendants) {
                h.onExit().get(20, TimeUnit.SECONDS);
            }
            p.waitFor(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("ExternalServer: could not stop " + p.pid() + ": " + e);
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
