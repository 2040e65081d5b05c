package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;

/**
 * Decoding of the DSN and AUTH parameter encodings: xtext (RFC 3461 section 4, used by ENVID,
 * ORCPT and AUTH) and the utf-8-addr forms of ORCPT's "utf-8" address type (RFC 6533 section 3).
 */
final class Xtext {

    private Xtext() {}

    /**
     * Decodes xtext: characters "!" to "~" but "+" and "=" stand for themselves, "+" and two hex
     * digits for an octet; the octets are read as UTF-8. RFC 3461 asks for upper-case hex digits;
     * lower case is accepted too, as it is unambiguous. Returns null for a stray "+" or "=", a
     * "+" not followed by two hex digits, a character outside "!" to "~", or octets that are not
     * UTF-8.
     */
    static String decode(String xtext) {
        byte[] octets = new byte[xtext.length()];
        int n = 0;
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+') {
                if (i + 2 >= xtext.length()) {
                    return null;
                }
                int high = hex(xtext.charAt(i + 1));
                int low = hex(xtext.charAt(i + 2));
                if (high < 0 || low < 0) {
                    return null;
                }
                octets[n++] = (byte) (high << 4 | low);
                i += 2;
            } else if (c >= '!' && c <= '~' && c != '=') {
                octets[n++] = (byte) c;
            } else {
                return null;
            }
        }
        try {
            return UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(octets, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Decodes an ORCPT address of type "utf-8" (RFC 6533 section 3): utf-8-addr-xtext or
     * utf-8-addr-unitext, i.e. printable ASCII but "+", "=" and "\", "\x{HEX}" for any Unicode
     * scalar value (1 to 6 hex digits), and, under SMTPUTF8, UTF-8 characters as they are.
     * Returns null if malformed.
     */
    static String decodeUtf8Address(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            if (c == '\\') {
                if (!value.startsWith("\\x{", i)) {
                    return null;
                }
                int close = value.indexOf('}', i + 3);
                if (close < 0 || close == i + 3 || close > i + 3 + 6) {
                    return null;
                }
                int cp = 0;
                for (int j = i + 3; j < close; j++) {
                    int digit = hex(value.charAt(j));
                    if (digit < 0) {
                        return null;
                    }
                    cp = cp << 4 | digit;
                }
                if (cp > Character.MAX_CODE_POINT || cp >= 0xd800 && cp <= 0xdfff) {
                    return null;
                }
                b.appendCodePoint(cp);
                i = close + 1;
            } else if (c >= '!' && c <= '~' && c != '+' && c != '=' || c >= 0xa0) {
                b.appendCodePoint(c);
                i += Character.charCount(c);
            } else {
                return null;
            }
        }
        return b.toString();
    }

    /** The value of an ASCII hex digit, or -1. */
    static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    /** True if every character is printable US-ASCII or a space (RFC 3461's ENVID and ORCPT rule). */
    static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20 || s.charAt(i) > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
