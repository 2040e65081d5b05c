package org.mailroom.filter.words.internal;

/**
 * One line of the rules file.
 *
 * @param line its line number, by which logs and verdicts name it
 * @param action what a message that matches it often enough gets
 * @param threshold how many matches it takes
 * @param kind word, words (a dictionary file), regex, a detector or an attachment kind
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
        DETECTOR,
        /** Attachments (and files in zip archives) whose name ends in one of the extensions. */
        EXTENSION,
        /** Attachments whose type, detected from their first octets, is this one. */
        TYPE,
        /** Attachments larger than this, decoded. */
        SIZE,
        /** Attachments whose content is of another type than their Content-Type or name says. */
        MISMATCH,
        /** Zip archives that cannot be looked into: encrypted, damaged, or beyond the limits. */
        UNREADABLE_ARCHIVE,
        /** PDF and Office documents a text extractor cannot read: encrypted, damaged, over its limits. */
        UNREADABLE_DOCUMENT;

        /** The kind's name in a rules file. */
        String token() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /** Kinds written without a pattern (besides the detectors). */
        boolean takesNoPattern() {
            return this == MISMATCH || this == UNREADABLE_ARCHIVE || this == UNREADABLE_DOCUMENT;
        }

        static Kind of(String token) {
            for (Kind k : values()) {
                if (k != DETECTOR && k.token().equals(token.toLowerCase(java.util.Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException(token);
        }
    }

    String describe() {
        String shown = pattern.length() > 40 ? pattern.substring(0, 40) + "..." : pattern;
        return "rule at line " + line + " ("
                + (kind == Kind.DETECTOR || kind.takesNoPattern() ? shown : kind.token() + " " + shown) + ")";
    }
}
