package org.mailroom.testing.daemons;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.mailroom.testing.FreePorts;

/**
 * A private clamd of Debian's clamav-daemon: its own clamd.conf in a folder of the test, TCP on a
 * free port of 127.0.0.1 (and, if asked, a UNIX socket), in the foreground, with a signature
 * database the class writes itself and nothing else: no freshclam, no network, so it starts in
 * about a second. It knows two signatures, {@link #EICAR_SIGNATURE} (the EICAR test string) and
 * {@link #TEST_SIGNATURE} (the text {@link #TEST_VIRUS}); clamd reports them with the suffix
 * {@code .UNOFFICIAL} (an unsigned database).
 */
public final class PrivateClamd extends Daemon {

    /** The EICAR anti-virus test file (68 octets): every scanner reports it, here as {@link #EICAR_SIGNATURE}. */
    public static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    public static final String EICAR_SIGNATURE = "Eicar-Test-Signature";
    /** Text that the database's second signature matches wherever it is (in a decoded attachment too). */
    public static final String TEST_VIRUS = "MAILROOM-TEST-VIRUS-7f3a";

    public static final String TEST_SIGNATURE = "Mailroom.Test.Signature";

    private final Path socket;

    private PrivateClamd(Process process, Path dir, int port, Path socket) {
        super(process, dir, dir.resolve("clamd.log"), port);
        this.socket = socket;
    }

    /** clamd's path, or null when clamav-daemon is not installed. */
    public static Path find() {
        return find("clamd");
    }

    /** clamd's path; not installed: fails when CI is set, else skips the test (never inside Pax Exam). */
    public static Path require() {
        return require("clamd", "clamav-daemon");
    }

    /**
     * Starts clamd and waits until it answers {@code PING} with {@code PONG}.
     *
     * @param clamd the executable
     * @param dir a folder for its configuration, database, log and socket (created)
     * @param streamMaxLength clamd's StreamMaxLength in octets (INSTREAM refuses more)
     * @param unixSocket also listen on {@code dir/clamd.sock}
     */
    public static PrivateClamd start(Path clamd, Path dir, long streamMaxLength, boolean unixSocket)
            throws IOException {
        Files.createDirectories(dir.resolve("db"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(
                dir.resolve("db/mailroom-test.ndb"),
                EICAR_SIGNATURE + ":0:*:" + hex("EICAR-STANDARD-ANTIVIRUS-TEST-FILE") + "\n" + TEST_SIGNATURE + ":0:*:"
                        + hex(TEST_VIRUS) + "\n",
                US_ASCII);
        int port = FreePorts.one();
        Path socket = unixSocket ? dir.resolve("clamd.sock").toAbsolutePath() : null;
        StringBuilder conf = new StringBuilder()
                .append("Foreground yes\n")
                .append("TCPSocket ")
                .append(port)
                .append("\nTCPAddr 127.0.0.1\n")
                .append("DatabaseDirectory ")
                .append(dir.resolve("db").toAbsolutePath())
                .append("\nTemporaryDirectory ")
                .append(dir.resolve("tmp").toAbsolutePath())
                .append("\nLogFile ")
                .append(dir.resolve("clamd.log").toAbsolutePath())
                .append("\nPidFile ")
                .append(dir.resolve("clamd.pid").toAbsolutePath())
                .append("\nStreamMaxLength ")
                .append(streamMaxLength)
                .append("\nMaxThreads 4\nSelfCheck 0\nLogTime yes\n");
        if (socket != null) {
            conf.append("LocalSocket ").append(socket).append("\nLocalSocketMode 600\n");
        }
        Path file = dir.resolve("clamd.conf");
        Files.writeString(file, conf, US_ASCII);
        Process process = launch(List.of(clamd.toString(), "--config-file=" + file.toAbsolutePath()), dir);
        PrivateClamd daemon = new PrivateClamd(process, dir, port, socket);
        daemon.awaitPong("zPING\0".getBytes(US_ASCII), "PONG", Duration.ofSeconds(60));
        return daemon;
    }

    /** The UNIX socket, or null when it was not asked for. */
    public Path socket() {
        return socket;
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(US_ASCII));
    }
}
