package org.mailroom.filter.words.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/**
 * An Aho-Corasick automaton over a dictionary: finds every occurrence of every word in one pass
 * over the text, whatever the number of words, and text may arrive in chunks (a {@link Scan}
 * carries the state from one to the next, so a word split across chunks is found). Built once per
 * rules version, then shared by concurrent scans; immutable.
 */
final class WordMatcher {

    /** Told of each occurrence: which word ({@code id} as given to the builder) ends at {@code end}. */
    interface Hits {
        void hit(int id, long end);
    }

    // State s: its transitions are labels[first[s] .. first[s+1]) (sorted) to targets[...].
    private final int[] first;
    private final char[] labels;
    private final int[] targets;
    private final int[] fail;
    /** The word ending at the state, or -1. */
    private final int[] word;
    /** The next state on the fail chain that ends a word, or -1 (dictionary suffix link). */
    private final int[] output;

    private final int[] lengths;
    /** The root's transitions by character (most steps of a scan start there): -1 for none. */
    private final int[] root;

    private WordMatcher(
            int[] first, char[] labels, int[] targets, int[] fail, int[] word, int[] output, int[] lengths) {
        this.first = first;
        this.labels = labels;
        this.targets = targets;
        this.fail = fail;
        this.word = word;
        this.output = output;
        this.lengths = lengths;
        this.root = new int[Character.MAX_VALUE + 1];
        java.util.Arrays.fill(root, -1);
        for (int e = first[0]; e < first[1]; e++) {
            root[labels[e]] = targets[e];
        }
    }

    /** The automaton of these words (already folded); word i has id i. Empty words are ignored. */
    static WordMatcher of(List<String> words) {
        List<TreeMap<Character, Integer>> children = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        children.add(new TreeMap<>());
        ends.add(-1);
        int[] lengths = new int[words.size()];
        for (int id = 0; id < words.size(); id++) {
            String w = words.get(id);
            lengths[id] = w.length();
            if (w.isEmpty()) {
                continue;
            }
            int s = 0;
            for (int i = 0; i < w.length(); i++) {
                Integer next = children.get(s).get(w.charAt(i));
                if (next == null) {
                    next = children.size();
                    children.add(new TreeMap<>());
                    ends.add(-1);
                    children.get(s).put(w.charAt(i), next);
                }
                s = next;
            }
            if (ends.get(s) < 0) {
                ends.set(s, id);
            }
        }
        int n = children.size();
        int[] first = new int[n + 1];
        int edges = 0;
        for (int s = 0; s < n; s++) {
            first[s] = edges;
            edges += children.get(s).size();
        }
        first[n] = edges;
        char[] labels = new char[edges];
        int[] targets = new int[edges];
        for (int s = 0; s < n; s++) {
            int e = first[s];
            for (var t : children.get(s).entrySet()) {
                labels[e] = t.getKey();
                targets[e++] = t.getValue();
            }
        }
        int[] word = new int[n];
        for (int s = 0; s < n; s++) {
            word[s] = ends.get(s);
        }
        int[] fail = new int[n];
        int[] output = new int[n];
        Arrays.fill(output, -1);
        WordMatcher partial = new WordMatcher(first, labels, targets, fail, word, output, lengths);
        // Breadth first: a state's fail link is the longest proper suffix that is a state.
        Deque<Integer> queue = new ArrayDeque<>();
        for (int e = first[0]; e < first[1]; e++) {
            fail[targets[e]] = 0;
            queue.add(targets[e]);
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            for (int e = first[s]; e < first[s + 1]; e++) {
                int child = targets[e];
                int f = fail[s];
                int next;
                while ((next = partial.child(f, labels[e])) < 0 && f != 0) {
                    f = fail[f];
                }
                fail[child] = next >= 0 ? next : 0;
                int suffix = fail[child];
                output[child] = word[suffix] >= 0 ? suffix : output[suffix];
                queue.add(child);
            }
        }
        return partial;
    }

    /** The length of word {@code id}. */
    int length(int id) {
        return lengths[id];
    }

    int states() {
        return word.length;
    }

    private int child(int s, char c) {
        if (s == 0) {
            return root[c];
        }
        int lo = first[s];
        int hi = first[s + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            char l = labels[mid];
            if (l < c) {
                lo = mid + 1;
            } else if (l > c) {
                hi = mid - 1;
            } else {
                return targets[mid];
            }
        }
        return -1;
    }

    Scan scan() {
        return new Scan();
    }

    /** One pass over a text that arrives in pieces; {@link #reset} between texts that do not join. */
    final class Scan {
        private int state;
        private long position;

        /** Feeds one character; reports each word that ends with it. */
        void feed(char c, Hits hits) {
            int s = state;
            int next;
            while ((next = child(s, c)) < 0 && s != 0) {
                s = fail[s];
            }
            s = next < 0 ? 0 : next;
            state = s;
            position++;
            for (int o = word[s] >= 0 ? s : output[s]; o >= 0; o = output[o]) {
                hits.hit(word[o], position);
            }
        }

        /** A boundary: no word spans it (e.g. between the subject and a body). */
        void reset() {
            state = 0;
        }
    }
}
