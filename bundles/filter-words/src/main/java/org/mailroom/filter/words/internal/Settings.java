package org.mailroom.filter.words.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rules filter's settings, from its configuration file.
 *
 * @param rulesFile the rules file
 * @param folding how text and words are folded before matching
 * @param refusalText the reply text for a rejected or deferred message (the rule's line is added)
 * @param tagHeader the header field that names the tag rules a delivered message matched
 * @param reloadIntervalSeconds how often the rules files are checked for changes
 */
record Settings(Path rulesFile, Folding folding, String refusalText, String tagHeader, int reloadIntervalSeconds) {

    private static final Logger LOG = LoggerFactory.getLogger(Settings.class);

    /**
     * Checked settings; a relative rules file is resolved against {@code karaf.etc}.
     *
     * @throws IllegalArgumentException naming the key of a bad value
     */
    static Settings of(
            String rulesFile,
            Folding folding,
            String refusalText,
            String tagHeader,
            int reloadIntervalSeconds,
            Map<String, Object> properties) {
        String rules = rulesFile == null ? "" : rulesFile.strip();
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("key rulesFile: empty");
        }
        Path file = Path.of(rules);
        if (!file.isAbsolute()) {
            Object etc = properties.getOrDefault("karaf.etc", System.getProperty("karaf.etc", "etc"));
            file = Path.of(etc.toString()).resolve(file);
        }
        if (reloadIntervalSeconds < 1 || reloadIntervalSeconds > 3600) {
            throw new IllegalArgumentException(
                    "key reloadIntervalSeconds: " + reloadIntervalSeconds + " is not 1..3600");
        }
        String header = tagHeader.strip();
        if (header.isEmpty() || !header.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
            throw new IllegalArgumentException("key tagHeader: \"" + header + "\" is not a header field name");
        }
        String text = refusalText.strip();
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= ' ' && c < 127)) {
            throw new IllegalArgumentException("key refusalText: must be printable ASCII, not empty");
        }
        return new Settings(file.toAbsolutePath().normalize(), folding, text, header, reloadIntervalSeconds);
    }

    /** The settings at activation; a bad value is logged with the file and key, and fails it. */
    static Settings required(Supplier<Settings> settings, Map<String, Object> properties, String pid, String what) {
        try {
            return settings.get();
        } catch (IllegalArgumentException e) {
            String problem = "Bad configuration in " + file(properties, pid) + ": " + e.getMessage();
            LOG.error("{}; {} stays inactive", problem, what);
            throw new IllegalArgumentException(problem, e);
        }
    }

    /** The settings of an edit; a bad value is logged and the previous settings stay (empty). */
    static Optional<Settings> changed(Supplier<Settings> settings, Map<String, Object> properties, String pid) {
        try {
            return Optional.of(settings.get());
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous settings stay in force",
                    file(properties, pid),
                    e.getMessage());
            return Optional.empty();
        }
    }

    private static Object file(Map<String, Object> properties, String pid) {
        return properties.getOrDefault("felix.fileinstall.filename", pid);
    }
}
