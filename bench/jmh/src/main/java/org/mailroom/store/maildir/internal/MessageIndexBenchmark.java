package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.mailroom.api.store.MessageInfo;
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

/**
 * {@link MessageIndex#list}, what POP3 login costs the store: a real Maildir in a temp directory
 * (a tenth in new/, the rest seen in cur/ with ":2,S"; 1 to 60 KB, LF line ends).
 * {@code names=dovecot}: Dovecot-style names with {@code ,S=} and {@code ,W=}, as Mailroom and
 * Dovecot deliver; {@code names=plain}: no sizes in the names (mail from another MDA), so each
 * wire size comes from reading the file. {@code list}: the store's long-lived index, as on a
 * running server (for plain names its wire size cache is warm); {@code listFirst}: a new index
 * per call, as on the first login after a start (plain names: every file is read).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MessageIndexBenchmark {

    @Param({"200", "10000"})
    public int messages;

    @Param({"dovecot", "plain"})
    public String names;

    private Path mailbox;
    private MessageIndex index;

    @Setup
    public void setUp() throws IOException {
        mailbox = Files.createTempDirectory("mailroom-jmh-maildir");
        for (String dir : List.of("new", "cur", "tmp")) {
            Files.createDirectory(mailbox.resolve(dir));
        }
        Random random = new Random(42);
        long epoch = 1_764_000_000L;
        byte[] line = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] content = new byte[60_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = line[i % line.length];
        }
        for (int i = 0; i < messages; i++) {
            // Mostly small mail, some large: 1 KB to 60 KB, skewed towards the small end
            int size = 1000 + (int) (59_000 * Math.pow(random.nextDouble(), 3));
            long lines = 0;
            for (int j = 0; j < size; j++) {
                lines += content[j] == '\n' ? 1 : 0;
            }
            epoch += 1 + random.nextInt(900);
            String base = epoch + ".M" + random.nextInt(1_000_000) + "P" + (1000 + random.nextInt(30000)) + "Q"
                    + (i + 1) + ".mail.example.com";
            if (names.equals("dovecot")) {
                base += ",S=" + size + ",W=" + (size + lines);
            }
            boolean seen = i < messages * 9 / 10;
            Path file = mailbox.resolve(seen ? "cur" : "new").resolve(seen ? base + ":2,S" : base);
            Files.write(file, Arrays.copyOf(content, size));
        }
        index = new MessageIndex(new Encryption());
        List<MessageInfo> listed = index.list(mailbox);
        if (listed.size() != messages) {
            throw new IllegalStateException("listed " + listed.size() + " of " + messages + " messages");
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.walkFileTree(mailbox, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Benchmark
    public List<MessageInfo> list() throws IOException {
        return index.list(mailbox);
    }

    @Benchmark
    public List<MessageInfo> listFirst() throws IOException {
        return new MessageIndex(new Encryption()).list(mailbox);
    }
}
