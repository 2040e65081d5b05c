package org.mailroom.filter.words.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content filter driven by a rules file (words, dictionaries, regular expressions and the
 * data-loss detectors): the rules in force, their reload when the rules file or a words file it
 * names changes, and a session per delivery. The sensitive-words and the DLP components each run
 * one, with their own settings; a version with a bad line is reported (file, line, reason) and the
 * previous rules stay.
 */
final class RulesFilter {

    private static final Logger LOG = LoggerFactory.getLogger(RulesFilter.class);

    /** A loaded version: the rules and what the files looked like when they were read. */
    private record Loaded(Rules rules, List<Path> wordFiles) {}

    private record Stamp(Path file, Object modified, long size, Object key) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(file, a.lastModifiedTime(), a.size(), a.fileKey());
            } catch (IOException e) {
                return new Stamp(file, null, -1, null);
            }
        }
    }

    private final String title;
    private volatile Settings settings;
    /** The rules in force; null while the rules file exists and no version of it has parsed. */
    private volatile Loaded loaded;

    private List<Stamp> lastAttempt;
    private ScheduledExecutorService timer;

    RulesFilter(String title) {
        this.title = title;
    }

    /**
     * Starts with a component's settings at activation: a bad value is logged with the file and
     * key, and fails the activation.
     */
    void start(Supplier<Settings> settings, Map<String, Object> properties, String pid, String what) {
        start(Settings.required(settings, properties, pid, what));
    }

    /** A configuration edit: a bad value is logged with the file and key, and the previous settings stay. */
    void update(Supplier<Settings> settings, Map<String, Object> properties, String pid) {
        Settings.changed(settings, properties, pid).ifPresent(this::update);
    }

    /** Starts with these settings: reads the rules and checks them for changes from now on. */
    void start(Settings initial) {
        settings = initial;
        reloadIfChanged();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailroom-filter-rules-reload");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(
                this::reloadIfChanged,
                initial.reloadIntervalSeconds(),
                initial.reloadIntervalSeconds(),
                TimeUnit.SECONDS);
    }

    /** New settings; the rules are read again if their file or folding changed. */
    void update(Settings next) {
        boolean reread = !next.rulesFile().equals(settings.rulesFile())
                || !next.folding().equals(settings.folding());
        settings = next;
        if (reread) {
            synchronized (this) {
                lastAttempt = null;
            }
            reloadIfChanged();
        }
    }

    void stop() {
        timer.shutdownNow();
    }

    /** Mail is deferred while a rules file exists that never parsed: no message passes unchecked. */
    FilterSession open(FilterContext context) {
        Loaded current = loaded;
        if (current == null) {
            return () -> FilterVerdict.defer("Content filter rules not loaded, try again later");
        }
        if (current.rules().rules().isEmpty()) {
            return FilterVerdict::accept; // no rules: nothing to fold or scan
        }
        return new WordsSession(current.rules(), settings);
    }

    /** The rules in force, null if none (for tests). */
    Rules rules() {
        Loaded current = loaded;
        return current == null ? null : current.rules();
    }

    /** Reads the rules again if the rules file or a words file changed since the last attempt. */
    synchronized void reloadIfChanged() {
        Settings current = settings;
        List<Stamp> stamps = stamps(current.rulesFile(), loaded == null ? List.of() : loaded.wordFiles());
        if (Objects.equals(stamps, lastAttempt)) {
            return;
        }
        lastAttempt = stamps;
        try {
            RulesParser.Parsed parsed = RulesParser.parse(current.rulesFile(), current.folding());
            List<Path> wordFiles = List.copyOf(parsed.wordFiles());
            loaded = new Loaded(parsed.rules(), wordFiles);
            lastAttempt = stamps(current.rulesFile(), wordFiles);
            LOG.info(
                    "{}: {} rule(s), {} distinct word(s), {} expression(s) from {}",
                    title,
                    parsed.rules().rules().size(),
                    parsed.rules().words(),
                    parsed.rules().regexes().size(),
                    current.rulesFile());
        } catch (NoSuchFileException e) {
            loaded = new Loaded(Rules.NONE, List.of());
            LOG.warn("{}: no rules file {}: no rules", title, current.rulesFile());
        } catch (RulesException e) {
            e.problems().forEach(p -> LOG.error("{}: {}", title, p));
            LOG.error("{}: {} rejected; {}", title, current.rulesFile(), keeping());
        } catch (IOException e) {
            LOG.error("{}: cannot read {}: {}; {}", title, current.rulesFile(), e.toString(), keeping());
        }
    }

    /** What the rules file and the word files look like now, the rules file first. */
    private static List<Stamp> stamps(Path rulesFile, List<Path> wordFiles) {
        List<Stamp> stamps = new ArrayList<>();
        stamps.add(Stamp.of(rulesFile));
        wordFiles.forEach(f -> stamps.add(Stamp.of(f)));
        return stamps;
    }

    private String keeping() {
        Loaded current = loaded;
        return current == null
                ? "no rules are loaded: mail is deferred until the file parses"
                : "keeping the previous " + current.rules().rules().size() + " rule(s)";
    }
}
