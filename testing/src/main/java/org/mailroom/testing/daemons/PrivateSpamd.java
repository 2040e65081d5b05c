package org.mailroom.testing.daemons;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.mailroom.testing.FreePorts;

/**
 * A private spamd of Debian's spamd package: on a free port of 127.0.0.1, without user
 * configuration ({@code -x}), local tests only ({@code -L}: no DNS blocklists, Razor or Pyzor),
 * with the rules Debian ships in {@value #RULES} and a site configuration folder of its own
 * (Debian's plugin {@code .pre} files copied from {@value #SITE}, and a {@code local.cf} that turns
 * Bayes and auto-learning off), so that the same message always scores the same. {@link #GTUBE}
 * scores 1000 or more.
 */
public final class PrivateSpamd extends Daemon {

    /** The Generic Test for Unsolicited Bulk Email: SpamAssassin's rule GTUBE scores it 1000. */
    public static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    /** The rules of the spamassassin package. */
    public static final String RULES = "/usr/share/spamassassin";
    /** Debian's site configuration, whose .pre files load the plugins (Check among them). */
    public static final String SITE = "/etc/spamassassin";

    private PrivateSpamd(Process process, Path dir, int port) {
        super(process, dir, dir.resolve("spamd.log"), port);
    }

    /** spamd's path, or null when the spamd package is not installed. */
    public static Path find() {
        return find("spamd");
    }

    /** spamd's path; not installed: fails when CI is set, else skips the test (never inside Pax Exam). */
    public static Path require() {
        return require("spamd", "spamd spamassassin");
    }

    /**
     * Starts spamd and waits until it answers {@code PING} with {@code PONG}.
     *
     * @param spamd the executable
     * @param dir a folder for its site configuration, log and pid file (created)
     */
    public static PrivateSpamd start(Path spamd, Path dir) throws IOException {
        Path site = Files.createDirectories(dir.resolve("site"));
        // Run as root, spamd's children give up root for nobody, who must read the site folder.
        for (Path readable : new Path[] {dir, site}) {
            Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        int copied = 0;
        try (DirectoryStream<Path> pre = Files.newDirectoryStream(Path.of(SITE), "*.pre")) {
            for (Path file : pre) {
                Files.copy(file, site.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                copied++;
            }
        } catch (IOException e) {
            throw new IOException("cannot read the .pre files of " + SITE + " (spamassassin installed?)", e);
        }
        if (copied == 0 || !Files.isDirectory(Path.of(RULES))) {
            throw new IOException(
                    "no .pre files in " + SITE + " or no rules in " + RULES + " (apt-get install spamassassin)");
        }
        Files.writeString(
                site.resolve("local.cf"),
                "use_bayes 0\nbayes_auto_learn 0\nuse_txrep 0\ndns_available no\nskip_rbl_checks 1\n",
                US_ASCII);
        int port = FreePorts.one();
        Process process = launch(
                List.of(
                        spamd.toString(),
                        "--port=" + port,
                        "--listen=127.0.0.1",
                        "--nouser-config",
                        "--local",
                        "--configpath=" + RULES,
                        "--siteconfigpath=" + site.toAbsolutePath(),
                        "--min-children=1",
                        "--max-children=2",
                        "--syslog=" + dir.resolve("spamd.log").toAbsolutePath(),
                        "--pidfile=" + dir.resolve("spamd.pid").toAbsolutePath()),
                dir);
        PrivateSpamd daemon = new PrivateSpamd(process, dir, port);
        daemon.awaitPong("PING SPAMC/1.5\r\n\r\n".getBytes(US_ASCII), "PONG", Duration.ofSeconds(120));
        return daemon;
    }
}
