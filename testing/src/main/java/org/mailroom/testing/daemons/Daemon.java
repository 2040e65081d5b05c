package org.mailroom.testing.daemons;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.mailroom.testing.RequiredTool;

/** What the private daemons share: finding the executable, the process, the ping, the stop. */
abstract class Daemon implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final Path log;
    private final int port;

    Daemon(Process process, Path dir, Path log, int port) {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.port = port;
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The folder with the daemon's configuration and files. */
    public Path dir() {
        return dir;
    }

    /** The daemon's process id. */
    public long pid() {
        return process.toHandle().pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the daemon logged (its log file, then its standard output and error), for messages. */
    public String log() {
        StringBuilder out = new StringBuilder();
        for (Path file : List.of(log, dir.resolve("daemon.out"))) {
            try {
                if (Files.isRegularFile(file)) {
                    out.append("--- ").append(file).append(":\n").append(Files.readString(file, US_ASCII));
                }
            } catch (IOException e) {
                out.append("--- ").append(file).append(": ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    /** Stops the daemon (SIGTERM, then SIGKILL after 10 s) and waits for it and its children. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : children) {
                if (child.isAlive()) {
                    child.destroy();
                    child.onExit().get(10, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            for (ProcessHandle child : children) {
                child.destroyForcibly();
            }
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The executable (PATH, then /usr/sbin and /usr/bin), or null. Inside Pax Exam use this (the
     * test JVM checked it), never {@link #require}, whose assumption would count as a pass there.
     */
    static Path find(String name) {
        Path found = RequiredTool.find(name);
        for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/sbin"}) {
            if (found == null) {
                found = RequiredTool.find(dir + "/" + name);
            }
        }
        return found;
    }

    /** The executable; missing: a failure when CI is set, else a JUnit assumption (skip). */
    static Path require(String name, String debianPackage) {
        Path found = find(name);
        if (found == null && System.getenv("CI") != null) {
            throw new AssertionError(name + " is required in CI (apt-get install " + debianPackage + ")");
        }
        Assume.assumeTrue(name + " is not installed (apt-get install " + debianPackage + ")", found != null);
        return found;
    }

    static Process launch(List<String> command, Path dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("HOME", dir.toString());
        builder.environment().put("TMPDIR", dir.toString());
        builder.environment().put("LC_ALL", "C");
        return builder.start();
    }

    /**
     * Waits until the daemon answers the ping on 127.0.0.1:port with a reply containing the pong.
     *
     * @throws IOException (after stopping it) if it exits or does not answer in time
     */
    void awaitPong(byte[] ping, String pong, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = log();
                close();
                throw new IOException(getClass().getSimpleName() + " exited with " + process.exitValue()
                        + " before answering on port " + port + "\n" + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                socket.setSoTimeout(5000);
                socket.getOutputStream().write(ping);
                socket.getOutputStream().flush();
                last = readAll(socket.getInputStream());
                if (last.contains(pong)) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String log = log();
        close();
        throw new IOException(getClass().getSimpleName() + " did not answer " + pong + " on port " + port + " within "
                + timeout.toSeconds() + " s (last: " + last + ")\n" + log);
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[256];
        int n;
        while (out.size() < 4096 && (n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
        }
        return out.toString(US_ASCII);
    }
}
