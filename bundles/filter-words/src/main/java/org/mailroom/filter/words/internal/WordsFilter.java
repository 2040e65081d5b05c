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
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensitive-words filter: dictionaries and regular expressions from a rules file, matched in
 * one pass over the Subject and every text part, with per-rule actions and counts. The rules file
 * and the word files it names are checked for changes every few seconds; a version with a bad line
 * is reported (file, line, reason) and the previous rules stay. Configuration PID {@value #PID}.
 */
@Component(
        service = ContentFilter.class,
        configurationPid = WordsFilter.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = ContentFilter.NAME + "=" + WordsFilter.NAME)
@Designate(ocd = WordsFilter.Config.class)
public class WordsFilter implements ContentFilter {

    static final String PID = "org.mailroom.filter.words";
    static final String NAME = "sensitive-words";
    private static final Logger LOG = LoggerFactory.getLogger(WordsFilter.class);

    @ObjectClassDefinition(name = "Mailroom sensitive-words filter", description = "Words and patterns in mail")
    public @interface Config {
        @AttributeDefinition(description = "The rules file; a relative path is resolved against karaf.etc")
        String rulesFile() default "mailroom-words.rules";

        @AttributeDefinition(description = "Match full-width letters, digits and signs as their ASCII forms")
        boolean foldWidth() default true;

        @AttributeDefinition(description = "Match letters regardless of case")
        boolean foldCase() default true;

        @AttributeDefinition(description = "Match traditional Chinese characters as their simplified forms")
        boolean foldTraditional() default true;

        @AttributeDefinition(description = "Reply text for a refused message (the rule's line is added)")
        String refusalText() default "Message refused by the content policy";

        @AttributeDefinition(description = "Header field naming the tag rules a delivered message matched")
        String tagHeader() default "X-Mailroom-Words";

        @AttributeDefinition(description = "Seconds between checks of the rules files for changes")
        int reloadIntervalSeconds() default 2;
    }

    /** A loaded version: the rules and what the files looked like when they were read. */
    private record Loaded(Rules rules, List<Stamp> stamps) {}

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

    private volatile Settings settings;
    /** The rules in force; null while the rules file exists and no version of it has parsed. */
    private volatile Loaded loaded;

    private List<Stamp> lastAttempt;
    private ScheduledExecutorService timer;

    @Activate
    void activate(Config config, Map<String, Object> properties) {
        try {
            settings = settings(config, properties);
        } catch (IllegalArgumentException e) {
            String problem = "Bad configuration in " + file(properties) + ": " + e.getMessage();
            LOG.error("{}; the sensitive-words filter stays inactive", problem);
            throw new IllegalArgumentException(problem, e);
        }
        reloadIfChanged();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailroom-filter-words-reload");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(
                this::reloadIfChanged,
                settings.reloadIntervalSeconds(),
                settings.reloadIntervalSeconds(),
                TimeUnit.SECONDS);
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        Settings next;
        try {
            next = settings(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous settings stay in force",
                    file(properties),
                    e.getMessage());
            return;
        }
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

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    /** Mail is deferred while a rules file exists that never parsed: no message passes unchecked. */
    @Override
    public FilterSession open(FilterContext context) {
        Loaded current = loaded;
        if (current == null) {
            return () -> FilterVerdict.defer("Content filter rules not loaded, try again later");
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
        List<Stamp> stamps = new ArrayList<>();
        stamps.add(Stamp.of(current.rulesFile()));
        for (Stamp s : loaded == null ? List.<Stamp>of() : loaded.stamps()) {
            if (!s.file().equals(current.rulesFile())) {
                stamps.add(Stamp.of(s.file()));
            }
        }
        if (Objects.equals(stamps, lastAttempt)) {
            return;
        }
        lastAttempt = stamps;
        try {
            RulesParser.Parsed parsed = RulesParser.parse(current.rulesFile(), current.folding());
            List<Stamp> read = new ArrayList<>();
            for (Path f : parsed.files()) {
                read.add(Stamp.of(f));
            }
            loaded = new Loaded(parsed.rules(), read);
            lastAttempt = orderedLikeAttempts(read, current.rulesFile());
            LOG.info(
                    "Sensitive words: {} rule(s), {} distinct word(s), {} expression(s) from {}",
                    parsed.rules().rules().size(),
                    parsed.rules().words(),
                    parsed.rules().regexes().size(),
                    current.rulesFile());
        } catch (NoSuchFileException e) {
            loaded = new Loaded(Rules.NONE, List.of());
            LOG.warn("Sensitive words: no rules file {}: no rules", current.rulesFile());
        } catch (RulesException e) {
            e.problems().forEach(p -> LOG.error("Sensitive words: {}", p));
            LOG.error("Sensitive words: {} rejected; {}", current.rulesFile(), keeping());
        } catch (IOException e) {
            LOG.error("Sensitive words: cannot read {}: {}; {}", current.rulesFile(), e.toString(), keeping());
        }
    }

    /** The stamps as the next check lists them: the rules file first, then the others. */
    private static List<Stamp> orderedLikeAttempts(List<Stamp> read, Path rulesFile) {
        List<Stamp> ordered = new ArrayList<>();
        read.stream().filter(s -> s.file().equals(rulesFile)).forEach(ordered::add);
        read.stream().filter(s -> !s.file().equals(rulesFile)).forEach(ordered::add);
        return ordered;
    }

    private String keeping() {
        Loaded current = loaded;
        return current == null
                ? "no rules are loaded: mail is deferred until the file parses"
                : "keeping the previous " + current.rules().rules().size() + " rule(s)";
    }

    static Settings settings(Config config, Map<String, Object> properties) {
        String rules = config.rulesFile().strip();
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("key rulesFile: empty");
        }
        Path file = Path.of(rules);
        if (!file.isAbsolute()) {
            Object etc = properties.getOrDefault("karaf.etc", System.getProperty("karaf.etc", "etc"));
            file = Path.of(etc.toString()).resolve(file);
        }
        if (config.reloadIntervalSeconds() < 1 || config.reloadIntervalSeconds() > 3600) {
            throw new IllegalArgumentException(
                    "key reloadIntervalSeconds: " + config.reloadIntervalSeconds() + " is not 1..3600");
        }
        String header = config.tagHeader().strip();
        if (header.isEmpty() || !header.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
            throw new IllegalArgumentException("key tagHeader: \"" + header + "\" is not a header field name");
        }
        String text = config.refusalText().strip();
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= ' ' && c < 127)) {
            throw new IllegalArgumentException("key refusalText: must be printable ASCII, not empty");
        }
        return new Settings(
                file.toAbsolutePath().normalize(),
                new Folding(config.foldWidth(), config.foldCase(), config.foldTraditional()),
                text,
                header,
                config.reloadIntervalSeconds());
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }
}
