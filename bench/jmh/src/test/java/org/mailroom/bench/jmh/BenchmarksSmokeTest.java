package org.mailroom.bench.jmh;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark once, briefly, in this JVM (no fork: the generated BenchmarkList in
 * target/classes is on the test classpath), so that a benchmark that no longer compiles, whose
 * set-up check fails or that throws fails the build. Measures nothing: no assertion on speed.
 * The password schemes run one single-shot call each (BLF-CRYPT and ARGON2ID take tens of ms).
 * The Maildir listing runs with 200 messages only: writing and removing the mailbox of 10,000
 * (160 MB) takes most of a minute on a busy 2-core machine, and the code path is the same.
 */
public class BenchmarksSmokeTest {

    /** The benchmark classes the module must have; BenchmarkList adds any new ones. */
    private static final List<String> REQUIRED = List.of(
            "org.mailroom.pop3.internal.Pop3CommandBenchmark",
            "org.mailroom.pop3.internal.Pop3RetrStreamBenchmark",
            "org.mailroom.smtp.internal.SmtpCommandBenchmark",
            "org.mailroom.smtp.internal.DataReaderBenchmark",
            "org.mailroom.store.maildir.internal.MessageIndexBenchmark",
            "org.mailroom.filter.words.internal.WordsFilterBenchmark",
            "org.mailroom.auth.password.internal.scheme.PasswordSchemeBenchmark");

    private static final String SLOW = "org.mailroom.auth.password.internal.scheme.PasswordSchemeBenchmark";

    @Test
    public void everyBenchmarkRunsAndProducesAResult() throws Exception {
        Set<BenchmarkListEntry> entries = BenchmarkList.defaultList()
                .getAll(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of());
        Set<String> methods =
                entries.stream().map(BenchmarkListEntry::getUsername).collect(Collectors.toCollection(TreeSet::new));
        Set<String> classes = entries.stream()
                .map(BenchmarkListEntry::getUserClassQName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue("benchmark classes missing from META-INF/BenchmarkList: " + classes, classes.containsAll(REQUIRED));

        List<RunResult> results = new ArrayList<>();
        results.addAll(new Runner(brief().exclude(SLOW)
                        .param("messages", "200")
                        .measurementTime(TimeValue.milliseconds(100))
                        .build())
                .run());
        results.addAll(new Runner(brief().include(SLOW)
                        .mode(Mode.SingleShotTime)
                        .timeUnit(TimeUnit.MILLISECONDS)
                        .measurementBatchSize(1)
                        .build())
                .run());

        TreeMap<String, Integer> runs = new TreeMap<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            Result<?> primary = r.getPrimaryResult();
            assertTrue(method + " " + r.getParams().getParamsKeys() + ": no sample", primary.getSampleCount() > 0);
            assertFalse(method + ": score is NaN", Double.isNaN(primary.getScore()));
            runs.merge(method, 1, Integer::sum);
        }
        assertEquals("benchmarks that produced a result", methods, runs.keySet());
        Collection<String> ran = results.stream()
                .map(r -> r.getParams()
                        .getBenchmark()
                        .substring(0, r.getParams().getBenchmark().lastIndexOf('.')))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue("every benchmark class produced a result: " + ran, ran.containsAll(classes));
        System.out.println("Smoke run: " + results.size() + " runs of " + runs);
    }

    /** No fork, no warm-up, one measurement iteration; stop at the first failing benchmark. */
    private static ChainedOptionsBuilder brief() {
        return new OptionsBuilder()
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .threads(1)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL);
    }
}
