package org.mailroom.filter.words.internal;

/**
 * One line of the rules file.
 *
 * @param line its line number, by which logs and verdicts name it
 * @param action what a message that matches it often enough gets
 * @param threshold how many matches it takes
 * @param kind word, words (a dictionary file) or regex
 * @param pattern the word, the dictionary file or the expression, as written
 */
record Rule(int line, Action action, int threshold, Kind kind, String pattern) {

    /** From the least to the most severe, as the filter chain ranks verdicts. */
    enum Action {
        TAG,
        QUARANTINE,
        DEFER,
        REJECT
    }

    enum Kind {
        WORD,
        WORDS,
        REGEX,
        /** One of the data-loss detectors ({@link Detector#BUILT_IN}); the pattern is its name. */
        DETECTOR
    }

    String describe() {
        String shown = pattern.length() > 40 ? pattern.substring(0, 40) + "..." : pattern;
        return "rule at line " + line + " ("
                + (kind == Kind.DETECTOR ? shown : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + shown) + ")";
    }
}
