package org.mailroom.smtp.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mailroom.bench.jmh.Megabytes;
import org.mailroom.bench.jmh.Messages;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SMTP side of dot-stuffing: the lines of a DATA transfer, as the transport hands them over
 * in CRLF-only mode (CRLF taken off, dot-stuffed), through {@link DataReader} with the default
 * settings (25 MiB limit, bare line ends refused) into a buffered sink that drops the octets, so
 * that the unstuffing and the size and bare-line-end checks are measured, not the spool's disk.
 * The {@code megabytes} row is the message written, in MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DataReaderBenchmark {

    /** The message's octets in a Maildir file (LF line ends), as in Pop3RetrStreamBenchmark. */
    @Param({"18000", "20000000"})
    public int size;

    private static final long MAX_MESSAGE_SIZE = 26_214_400;

    private List<byte[]> lines;
    private long wireSize;

    @Setup
    public void setUp() throws IOException {
        byte[] message = Messages.maildirFile(size, 17);
        lines = Messages.dataLines(message);
        long lf = 0;
        for (byte b : message) {
            lf += b == '\n' ? 1 : 0;
        }
        wireSize = message.length + lf;
        long got = data();
        if (got != wireSize) {
            throw new IllegalStateException("DataReader wrote " + got + " octets, expected " + wireSize);
        }
    }

    @Benchmark
    public long data(Megabytes mb) throws IOException {
        long octets = data();
        mb.add(octets);
        return octets;
    }

    private long data() throws IOException {
        OutputStream sink = new BufferedOutputStream(OutputStream.nullOutputStream(), 64 * 1024);
        DataReader reader = new DataReader(sink, MAX_MESSAGE_SIZE, DataReader.BareLineEnds.REJECT);
        for (byte[] line : lines) {
            if (reader.line(line)) {
                break;
            }
        }
        sink.flush();
        if (!reader.isEnded() || reader.refusal() != null) {
            throw new IllegalStateException("message refused or unfinished: " + reader.refusal());
        }
        return reader.size();
    }
}
