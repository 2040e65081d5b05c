package org.mailroom.filter.words.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Reads a rules file (UTF-8): one rule per line, {@code ACTION[/COUNT] KIND PATTERN}, {@code #}
 * comments and blank lines ignored. ACTION is {@code reject}, {@code defer}, {@code quarantine}
 * or {@code tag}; COUNT (default 1) how many matches it takes; KIND {@code word} (PATTERN is a word
 * or phrase), {@code words} (PATTERN is a UTF-8 file of words, one per line, relative to the rules
 * file's folder), {@code regex} (a Java regular expression, matched per line), a data-loss
 * detector, or an attachment kind ({@link AttachmentCheck}). Every problem is
 * reported with its file and line; one bad line rejects the whole file.
 */
final class RulesParser {

    private static final int MAX_THRESHOLD = 1_000_000;
    private static final Set<String> NO_PATTERN = Arrays.stream(Rule.Kind.values())
            .filter(Rule.Kind::takesNoPattern)
            .map(Rule.Kind::token)
            .collect(Collectors.toUnmodifiableSet());
    private static final String KINDS =
            "word, words, regex, " + String.join(", ", new TreeSet<>(Detector.BUILT_IN.keySet()))
                    + ", extension, type, size, mismatch, unreadable-archive or unreadable-document";

    private RulesParser() {}

    /** The rules of the file and the word files it names (for change detection). */
    record Parsed(Rules rules, Set<Path> wordFiles) {}

    static Parsed parse(Path file, Folding folding) throws IOException, RulesException {
        List<String> lines = readLines(file);
        List<String> problems = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        Map<String, List<Integer>> words = new LinkedHashMap<>();
        List<Integer> regexRules = new ArrayList<>();
        List<Detector> regexes = new ArrayList<>();
        List<AttachmentCheck> attachments = new ArrayList<>();
        Set<Path> files = new TreeSet<>();
        for (int n = 0; n < lines.size(); n++) {
            String text = lines.get(n).strip();
            int lineNo = n + 1;
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] parts = text.split("\\s+", 3);
            boolean detector = parts.length >= 2 && Detector.BUILT_IN.containsKey(parts[1].toLowerCase(Locale.ROOT));
            boolean noPattern = detector || parts.length >= 2 && NO_PATTERN.contains(parts[1].toLowerCase(Locale.ROOT));
            if (noPattern && parts.length > 2) {
                problems.add(file + ":" + lineNo + ": " + parts[1] + " takes no pattern, got \"" + parts[2] + "\"");
                continue;
            }
            if (parts.length < 3 && !noPattern) {
                problems.add(file + ":" + lineNo + ": expected ACTION[/COUNT] KIND PATTERN, got \"" + text + "\"");
                continue;
            }
            Rule.Action action;
            int threshold = 1;
            String[] actionAndCount = parts[0].split("/", 2);
            try {
                action = Rule.Action.valueOf(actionAndCount[0].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(file + ":" + lineNo + ": unknown action \"" + actionAndCount[0]
                        + "\" (reject, defer, quarantine or tag)");
                continue;
            }
            if (actionAndCount.length == 2) {
                try {
                    threshold = Integer.parseInt(actionAndCount[1]);
                } catch (NumberFormatException e) {
                    threshold = 0;
                }
                if (threshold < 1 || threshold > MAX_THRESHOLD) {
                    problems.add(
                            file + ":" + lineNo + ": count \"" + actionAndCount[1] + "\" is not 1.." + MAX_THRESHOLD);
                    continue;
                }
            }
            Rule.Kind kind;
            try {
                kind = detector ? Rule.Kind.DETECTOR : Rule.Kind.of(parts[1]);
            } catch (IllegalArgumentException e) {
                problems.add(file + ":" + lineNo + ": unknown kind \"" + parts[1] + "\" (" + KINDS + ")");
                continue;
            }
            String pattern = noPattern ? parts[1].toLowerCase(Locale.ROOT) : parts[2];
            int index = rules.size();
            switch (kind) {
                case WORD -> {
                    String folded = folding.fold(pattern);
                    words.computeIfAbsent(folded, w -> new ArrayList<>()).add(index);
                }
                case WORDS -> {
                    Path dictionary = file.toAbsolutePath().getParent().resolve(pattern);
                    List<String> entries;
                    try {
                        entries = readLines(dictionary);
                    } catch (NoSuchFileException e) {
                        problems.add(file + ":" + lineNo + ": no such words file " + dictionary);
                        continue;
                    } catch (IOException e) {
                        problems.add(
                                file + ":" + lineNo + ": cannot read words file " + dictionary + ": " + e.getMessage());
                        continue;
                    }
                    files.add(dictionary);
                    int added = 0;
                    for (String entry : entries) {
                        String w = entry.strip();
                        if (!w.isEmpty() && !w.startsWith("#")) {
                            List<Integer> of = words.computeIfAbsent(folding.fold(w), x -> new ArrayList<>());
                            if (of.isEmpty() || of.get(of.size() - 1) != index) {
                                of.add(index);
                            }
                            added++;
                        }
                    }
                    if (added == 0) {
                        problems.add(file + ":" + lineNo + ": words file " + dictionary + " has no words");
                        continue;
                    }
                }
                case REGEX -> {
                    try {
                        regexes.add(Detector.regex(Pattern.compile(pattern)));
                        regexRules.add(index);
                    } catch (PatternSyntaxException e) {
                        problems.add(file + ":" + lineNo + ": bad regular expression: " + e.getDescription()
                                + " near index " + e.getIndex());
                        continue;
                    }
                }
                case DETECTOR -> {
                    regexes.add(Detector.BUILT_IN.get(pattern));
                    regexRules.add(index);
                }
                default -> {
                    try {
                        attachments.add(
                                switch (kind) {
                                    case EXTENSION -> AttachmentCheck.extensions(index, pattern);
                                    case TYPE -> AttachmentCheck.type(index, pattern);
                                    case SIZE -> AttachmentCheck.size(index, pattern);
                                    default -> AttachmentCheck.plain(index, kind);
                                });
                    } catch (IllegalArgumentException e) {
                        problems.add(file + ":" + lineNo + ": " + e.getMessage());
                        continue;
                    }
                }
            }
            rules.add(new Rule(lineNo, action, threshold, kind, pattern));
        }
        if (!problems.isEmpty()) {
            throw new RulesException(problems);
        }
        if (attachments.stream().anyMatch(a -> a.kind() == Rule.Kind.TYPE || a.kind() == Rule.Kind.MISMATCH)) {
            MediaTypes.load();
        }
        List<String> distinct = new ArrayList<>(words.keySet());
        int[][] wordRules = new int[distinct.size()][];
        boolean[] latinEdges = new boolean[distinct.size()];
        for (int i = 0; i < distinct.size(); i++) {
            wordRules[i] = words.get(distinct.get(i)).stream()
                    .mapToInt(Integer::intValue)
                    .toArray();
            String w = distinct.get(i);
            latinEdges[i] = isLatinWordChar(w.charAt(0)) && isLatinWordChar(w.charAt(w.length() - 1));
        }
        Rules parsed = new Rules(
                List.copyOf(rules),
                WordMatcher.of(distinct),
                wordRules,
                latinEdges,
                regexRules.stream().mapToInt(Integer::intValue).toArray(),
                List.copyOf(regexes),
                folding,
                distinct.size(),
                List.copyOf(attachments));
        return new Parsed(parsed, files);
    }

    /** A letter or digit of an alphabetic script: words of these are matched whole. */
    static boolean isLatinWordChar(char c) {
        return c < '\u2E80' && Character.isLetterOrDigit(c);
    }

    private static List<String> readLines(Path file) throws IOException {
        try {
            return Files.readAllLines(file, UTF_8);
        } catch (MalformedInputException e) {
            throw new IOException("not UTF-8 text", e);
        }
    }
}
