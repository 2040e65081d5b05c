package org.mailroom.filter.words.internal;

import com.ibm.icu.text.Transliterator;

/**
 * Traditional Chinese characters to their simplified forms (繁體 → 繁体), one character for one,
 * from ICU's {@code Traditional-Simplified} transliterator (ICU4J: a maintained mapping rather
 * than a table of our own). The table covers the CJK unified ideographs and their compatibility
 * forms; it is built once, on first use, and is immutable after.
 */
final class SimplifiedChinese {

    private static final int[][] RANGES = {{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}};

    private SimplifiedChinese() {}

    private static final class Table {
        static final char[] SIMPLIFIED = build();

        private static char[] build() {
            char[] table = new char[0x10000];
            for (int c = 0; c < table.length; c++) {
                table[c] = (char) c;
            }
            Transliterator t = Transliterator.getInstance("Traditional-Simplified");
            for (int[] range : RANGES) {
                for (int c = range[0]; c <= range[1]; c++) {
                    String out = t.transliterate(String.valueOf((char) c));
                    if (out.length() == 1) {
                        table[c] = out.charAt(0);
                    }
                }
            }
            return table;
        }
    }

    static char fold(char c) {
        return c < 0x3400 ? c : Table.SIMPLIFIED[c];
    }
}
