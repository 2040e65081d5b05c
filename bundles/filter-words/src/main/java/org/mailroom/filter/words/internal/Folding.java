package org.mailroom.filter.words.internal;

/**
 * How text and words are made comparable before matching: full-width forms to their ASCII
 * (half-width) letters, digits and signs, and the ideographic space to a space; letters to lower
 * case; traditional Chinese characters to simplified ones. One character in, one out, so
 * positions stay those of the text.
 */
record Folding(boolean width, boolean caseless, boolean simplified) {

    char fold(char c) {
        if (width) {
            if (c >= '\uFF01' && c <= '\uFF5E') {
                c = (char) (c - 0xFEE0);
            } else if (c == '\u3000') {
                c = ' ';
            }
        }
        if (caseless) {
            c = Character.toLowerCase(c);
        }
        return simplified ? SimplifiedChinese.fold(c) : c;
    }

    String fold(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            out.append(fold(s.charAt(i)));
        }
        return out.toString();
    }
}
