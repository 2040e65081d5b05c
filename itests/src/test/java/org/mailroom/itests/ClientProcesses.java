package org.mailroom.itests;

import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real clients as processes of their own, from inside the container, with a private HOME and bounded time. */
final class ClientProcesses {

    private ClientProcesses() {}

    record Tool(String path) {}

    record Run(int exit, byte[] stdout, String stderr, long millis) {}

    /** The client, from inside the container (the same machine; {@link ToolsInstalled} checked it). */
    static Tool tool(String name) {
        Tool tool = find(name);
        if (tool == null) {
            fail(name + " is not installed (apt-get install " + name + ")");
        }
        return tool;
    }

    static Tool find(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/local/bin:/usr/bin:/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                File candidate = new File(dir, name);
                if (candidate.isFile() && candidate.canExecute()) {
                    return new Tool(candidate.getAbsolutePath());
                }
            }
        }
        return null;
    }

    static Process start(Path dir, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        // A private HOME keeps the user's ~/.curlrc, ~/.mpoprc, ~/.fetchmailrc and ~/.netrc out.
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("TMPDIR", dir.toString());
        env.put("LC_ALL", "C");
        return builder.start();
    }

    static Run run(Path dir, List<String> command, Duration timeout) throws Exception {
        long started = System.nanoTime();
        Process process = start(dir, command);
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            fail("Timed out after " + timeout.toSeconds() + " s: " + command + "\nstderr:\n"
                    + readString(dir.resolve("stderr")));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return new Run(
                process.exitValue(),
                Files.readAllBytes(dir.resolve("stdout")),
                readString(dir.resolve("stderr")),
                millis);
    }

    static String readString(Path file) throws IOException {
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    }

    static Path writePrivate(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
