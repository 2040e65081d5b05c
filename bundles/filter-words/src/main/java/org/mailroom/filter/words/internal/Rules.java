package org.mailroom.filter.words.internal;

import java.util.List;

/**
 * A parsed rules file: the rules, one automaton over every word of every word rule (each word
 * once, with the rules it belongs to), and the expressions of the regex rules.
 *
 * @param rules the rules in file order
 * @param matcher the automaton; word i belongs to rules {@code wordRules[i]}
 * @param wordRules for each word of the automaton, the indexes of its rules
 * @param latinEdges for each word, whether it must start and end at a word boundary (a word
 *     that begins and ends with a Latin letter or digit must not be part of a longer word)
 * @param regexRules the index of the rule of each detector
 * @param regexes the detectors (regex rules and the data-loss kinds), over folded text, a line at a time
 * @param folding how text and words are folded
 * @param words how many distinct words the automaton holds
 * @param attachmentChecks the attachment rules, checked on every attachment and non-text part
 */
record Rules(
        List<Rule> rules,
        WordMatcher matcher,
        int[][] wordRules,
        boolean[] latinEdges,
        int[] regexRules,
        List<Detector> regexes,
        Folding folding,
        int words,
        List<AttachmentCheck> attachmentChecks) {

    static final Rules NONE = new Rules(
            List.of(),
            WordMatcher.of(List.of()),
            new int[0][],
            new boolean[0],
            new int[0],
            List.of(),
            new Folding(true, true, false),
            0,
            List.of());

    int longestWord() {
        int longest = 0;
        for (int i = 0; i < words; i++) {
            longest = Math.max(longest, matcher.length(i));
        }
        return longest;
    }
}
