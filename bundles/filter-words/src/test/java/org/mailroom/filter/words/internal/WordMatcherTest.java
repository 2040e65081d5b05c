package org.mailroom.filter.words.internal;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;

public class WordMatcherTest {

    @Test
    public void findsOverlappingAndNestedWordsInOnePass() {
        WordMatcher m = WordMatcher.of(List.of("he", "she", "his", "hers", "机密", "密码"));
        assertEquals(
                List.of("she@4", "he@4", "hers@6"), hits(m, List.of("he", "she", "his", "hers", "机密", "密码"), "ushers"));
        assertEquals(List.of("机密@3", "密码@4"), hits(m, List.of("he", "she", "his", "hers", "机密", "密码"), "是机密码"));
    }

    @Test
    public void aWordSplitAcrossFeedsIsFoundButNotAcrossAReset() {
        WordMatcher m = WordMatcher.of(List.of("机密"));
        WordMatcher.Scan scan = m.scan();
        List<Long> ends = new ArrayList<>();
        scan.feed('机', (id, end) -> ends.add(end));
        scan.feed('密', (id, end) -> ends.add(end));
        assertEquals(List.of(2L), ends);
        scan.feed('机', (id, end) -> ends.add(end));
        scan.reset();
        scan.feed('密', (id, end) -> ends.add(end));
        assertEquals(List.of(2L), ends);
    }

    @Test
    public void aHundredThousandWordsAgreeWithANaiveSearch() {
        Random random = new Random(7);
        List<String> words = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (words.size() < 100_000) {
            String w = randomText(random, 2 + random.nextInt(5));
            if (seen.add(w)) {
                words.add(w);
            }
        }
        WordMatcher m = WordMatcher.of(words);
        String text = randomText(random, 50_000);
        long expected = 0;
        for (String w : words) {
            for (int at = text.indexOf(w); at >= 0; at = text.indexOf(w, at + 1)) {
                expected++;
            }
        }
        long[] found = new long[1];
        WordMatcher.Scan scan = m.scan();
        for (int i = 0; i < text.length(); i++) {
            scan.feed(text.charAt(i), (id, end) -> found[0]++);
        }
        assertEquals(expected, found[0]);
    }

    /** Text over a small alphabet of CJK characters and letters, so words do occur. */
    private static String randomText(Random random, int length) {
        String alphabet = "机密码文件内部资料ab";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static List<String> hits(WordMatcher m, List<String> words, String text) {
        List<String> hits = new ArrayList<>();
        WordMatcher.Scan scan = m.scan();
        for (int i = 0; i < text.length(); i++) {
            scan.feed(text.charAt(i), (id, end) -> hits.add(words.get(id) + "@" + end));
        }
        return hits;
    }
}
