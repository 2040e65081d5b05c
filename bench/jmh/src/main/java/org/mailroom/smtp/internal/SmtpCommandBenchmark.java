package org.mailroom.smtp.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The parse steps SmtpSession runs for a MAIL and a RCPT line: {@link Command#parse} of the line's
 * octets, then {@link MailParameters#parse} and {@link Path#parseReverse}, or
 * {@link RcptParameters#parse} and {@link Path#parseForward}, as the session does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SmtpCommandBenchmark {

    private byte[] mail;
    private byte[] rcpt;

    @Setup
    public void setUp() throws SmtpSyntaxException {
        mail = "MAIL FROM:<a@b.example> SIZE=18000 BODY=8BITMIME".getBytes(StandardCharsets.US_ASCII);
        rcpt = "RCPT TO:<x@y.example>".getBytes(StandardCharsets.US_ASCII);
        MailParameters p = MailParameters.parse(Command.parse(mail, true).argument());
        if (p.size() != 18000) {
            throw new IllegalStateException("SIZE not parsed: " + p);
        }
        if (!Path.parseForward(Command.parse(rcpt, true).argument(), false)
                .domain()
                .equals("y.example")) {
            throw new IllegalStateException("RCPT path not parsed");
        }
    }

    @Benchmark
    public void mailFrom(Blackhole bh) throws SmtpSyntaxException {
        Command command = Command.parse(mail, true);
        MailParameters parameters = MailParameters.parse(command.argument());
        Path path = Path.parseReverse(command.argument(), parameters.smtputf8());
        bh.consume(parameters);
        bh.consume(path);
    }

    @Benchmark
    public void rcptTo(Blackhole bh) throws SmtpSyntaxException {
        Command command = Command.parse(rcpt, true);
        RcptParameters parameters = RcptParameters.parse(command.argument());
        Path path = Path.parseForward(command.argument(), false);
        bh.consume(parameters);
        bh.consume(path);
    }
}
