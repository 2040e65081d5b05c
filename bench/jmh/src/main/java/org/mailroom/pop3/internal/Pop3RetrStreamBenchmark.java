package org.mailroom.pop3.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.mailroom.bench.jmh.Megabytes;
import org.mailroom.bench.jmh.Messages;
import org.mailroom.store.maildir.internal.MaildirStreams;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * RETR's output path: a Maildir message (LF line ends, some lines starting with ".") read
 * through the store's CrlfInputStream and Pop3ContentStream (dot-stuffing, terminating ".")
 * in the 64 KiB chunks the transport reads. {@code source=file}: the message is a file, opened
 * per RETR as the store does (in the page cache after the first run); {@code source=heap}: the
 * same octets from memory, the transforms alone. The {@code megabytes} row is the wire output
 * in MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Pop3RetrStreamBenchmark {

    /** Octets of the message on disk: 18 KB (a typical mail) and 20 MB (a large attachment). */
    @Param({"18000", "20000000"})
    public int size;

    @Param({"file", "heap"})
    public String source;

    private byte[] message;
    private Path dir;
    private Path file;
    private final byte[] chunk = new byte[64 * 1024];

    @Setup
    public void setUp() throws IOException {
        message = Messages.maildirFile(size, 17);
        dir = Files.createTempDirectory("mailroom-jmh-retr");
        file = dir.resolve("1764000000.M1P1Q1.mail.example.com,S=" + message.length + ":2,S");
        Files.write(file, message);
        long expected = expectedWireSize(message);
        long got = retr(open());
        if (got != expected) {
            throw new IllegalStateException("RETR sent " + got + " octets, expected " + expected);
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public long retr(Megabytes mb, Blackhole bh) throws IOException {
        long octets = retr(open());
        mb.add(octets);
        bh.consume(chunk);
        return octets;
    }

    private InputStream open() throws IOException {
        return source.equals("file")
                ? Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)
                : new ByteArrayInputStream(message);
    }

    private long retr(InputStream maildirFile) throws IOException {
        long octets = 0;
        try (InputStream wire = new Pop3ContentStream(MaildirStreams.wireForm(maildirFile), -1)) {
            int n;
            while ((n = wire.read(chunk, 0, chunk.length)) >= 0) {
                octets += n;
            }
        }
        return octets;
    }

    /** CRLF for LF, one more "." per line that starts with one, and the final ".CRLF". */
    private static long expectedWireSize(byte[] lf) {
        long size = lf.length + 3;
        boolean lineStart = true;
        for (byte c : lf) {
            if (lineStart && c == '.') {
                size++;
            }
            if (c == '\n') {
                size++;
            }
            lineStart = c == '\n';
        }
        return size;
    }
}
