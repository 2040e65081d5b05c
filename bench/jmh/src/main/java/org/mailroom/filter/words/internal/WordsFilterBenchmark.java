package org.mailroom.filter.words.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;
import org.mailroom.bench.jmh.Megabytes;
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
 * The sensitive-words filter's dictionary match: a rules file with one {@code words} rule of
 * 10,000 or 100,000 distinct Chinese and Latin words, over 1 MB of decoded text (mixed Chinese
 * and Latin, some dictionary words in it) fed to a session in 8,192-character chunks as the
 * delivery chain feeds it, folding and whole-word checks included. The {@code megabytes} row is
 * the text's size in UTF-8, in MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WordsFilterBenchmark {

    @Param({"10000", "100000"})
    public int words;

    private static final int CHUNK = 8192;
    private static final Settings SETTINGS =
            new Settings(Path.of("unused"), new Folding(true, true, true), "Refused", "X-Words", 2);

    private Rules rules;
    private String text;
    private long utf8;
    private final MimePart part = new Part();

    @Setup
    public void setUp() throws IOException, RulesException {
        Random random = new Random(11);
        Set<String> dictionary = new HashSet<>();
        while (dictionary.size() < words) {
            dictionary.add(
                    random.nextInt(3) == 0
                            ? latin(random, 4 + random.nextInt(6))
                            : chinese(random, 2 + random.nextInt(3)));
        }
        Path dir = Files.createTempDirectory("words-bench");
        Files.write(dir.resolve("dictionary.txt"), dictionary, UTF_8);
        Files.writeString(dir.resolve("bench.rules"), "quarantine/1000000 words dictionary.txt\n", UTF_8);
        rules = RulesParser.parse(dir.resolve("bench.rules"), SETTINGS.folding())
                .rules();
        Files.delete(dir.resolve("dictionary.txt"));
        Files.delete(dir.resolve("bench.rules"));
        Files.delete(dir);
        List<String> some = new ArrayList<>(dictionary).subList(0, 100);
        StringBuilder t = new StringBuilder();
        while (t.toString().getBytes(UTF_8).length < 1_000_000) {
            for (int i = 0; i < 1000; i++) {
                int pick = random.nextInt(10);
                t.append(
                                pick == 0
                                        ? some.get(random.nextInt(some.size()))
                                        : pick < 7 ? chinese(random, 8) : latin(random, 6))
                        .append(pick % 3 == 0 ? "\n" : " ");
            }
        }
        text = t.toString();
        utf8 = text.getBytes(UTF_8).length;
        if (scan().action() != FilterVerdict.Action.ACCEPT) {
            throw new IllegalStateException("the threshold is out of reach: nothing but counting is measured");
        }
    }

    @Benchmark
    public FilterVerdict scan(Megabytes mb) {
        FilterVerdict v = scan();
        mb.add(utf8);
        return v;
    }

    private FilterVerdict scan() {
        WordsSession session = new WordsSession(rules, SETTINGS);
        session.header(new MimeField("Subject", "季度报告", "季度报告"));
        session.startPart(part);
        for (int at = 0; at < text.length(); at += CHUNK) {
            session.text(part, text.subSequence(at, Math.min(text.length(), at + CHUNK)));
        }
        session.endPart(part);
        return session.finish();
    }

    private static String chinese(Random random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) (0x4E00 + random.nextInt(3500)));
        }
        return s.toString();
    }

    private static String latin(Random random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }

    private static final class Part implements MimePart {
        @Override
        public String path() {
            return "1";
        }

        @Override
        public String mimeType() {
            return "text/plain";
        }

        @Override
        public String charset() {
            return "utf-8";
        }

        @Override
        public String fileName() {
            return null;
        }

        @Override
        public boolean attachment() {
            return false;
        }

        @Override
        public List<MimeField> headers() {
            return List.of();
        }
    }
}
