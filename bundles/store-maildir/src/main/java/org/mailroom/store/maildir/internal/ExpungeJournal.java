package org.mailroom.store.maildir.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The format of a mailbox's deletion journal, {@value #FILE_NAME} in the Maildir next to
 * {@code new/} and {@code cur/}: the files one {@code delete} call removes, recorded before the
 * first one goes so that a crash is completed on the next start. UTF-8 text, one line each:
 *
 * <pre>
 * mailroom-expunge 1
 * cur/1700000000.M1P2.host,S=12,W=13:2,S
 * new/1700000001.M5P2Q3.host,S=40,W=42
 * end
 * </pre>
 *
 * Entries are paths relative to the Maildir, in {@code new/} or {@code cur/}; in a file name,
 * {@code %}, control characters and DEL are written as {@code %XX}. The closing {@code end} line
 * tells a complete journal from a truncated one. Pure functions; the store does the I/O.
 */
final class ExpungeJournal {

    /** Not in new/, cur/ or tmp/ and not starting with "dovecot" or ".": Maildir tools ignore it. */
    static final String FILE_NAME = "mailroom-expunge";
    /** Where the journal is written before it is renamed into place. */
    static final String TEMP_NAME = FILE_NAME + ".tmp";

    private static final String HEADER = "mailroom-expunge 1";
    private static final String TRAILER = "end";
    private static final String HEX = "0123456789ABCDEF";

    /** The journal cannot be used; nothing in it may be acted on. */
    static final class InvalidJournalException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidJournalException(String reason) {
            super(reason);
        }
    }

    private ExpungeJournal() {}

    static byte[] format(List<String> entries) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (String entry : entries) {
            String reason = invalidEntryReason(entry);
            if (reason != null) {
                throw new IllegalArgumentException("journal entry " + entry + ": " + reason);
            }
            sb.append(encode(entry)).append('\n');
        }
        return sb.append(TRAILER).append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The entries of a complete, well-formed journal. */
    static List<String> parse(byte[] content) throws InvalidJournalException {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidJournalException("not UTF-8 text");
        }
        if (!text.endsWith("\n")) {
            throw new InvalidJournalException("incomplete: no line end at the end");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new InvalidJournalException("line 1: expected '" + HEADER + "'");
        }
        if (lines.length < 2 || !lines[lines.length - 1].equals(TRAILER)) {
            throw new InvalidJournalException("incomplete: the last line is not '" + TRAILER + "'");
        }
        List<String> entries = new ArrayList<>(lines.length - 2);
        for (int i = 1; i < lines.length - 1; i++) {
            String entry = decode(lines[i]);
            String reason = entry == null ? "bad %-escape" : invalidEntryReason(entry);
            if (reason != null) {
                throw new InvalidJournalException("line " + (i + 1) + ": " + reason);
            }
            entries.add(entry);
        }
        return entries;
    }

    /**
     * Why the entry is not a plain file in new/ or cur/ of the Maildir, or null when it is. Names
     * starting with "." are refused too (that covers "." and ".."): the store never lists them.
     */
    static String invalidEntryReason(String entry) {
        if (!entry.startsWith("new/") && !entry.startsWith("cur/")) {
            return "not in new/ or cur/";
        }
        String name = entry.substring(4);
        if (name.isEmpty()) {
            return "no file name";
        }
        if (name.startsWith(".")) {
            return "file name starts with '.'";
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            return "file name contains '/' or NUL";
        }
        return null;
    }

    static String encode(String entry) {
        StringBuilder sb = new StringBuilder(entry.length());
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            if (c == '%' || c < 0x20 || c == 0x7F) {
                sb.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The decoded line, or null when a '%' is not followed by two hex digits. */
    static String decode(String line) {
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            int high = i + 1 < line.length() ? hexDigit(line.charAt(i + 1)) : -1;
            int low = i + 2 < line.length() ? hexDigit(line.charAt(i + 2)) : -1;
            if (high < 0 || low < 0) {
                return null;
            }
            sb.append((char) (high * 16 + low));
            i += 2;
        }
        return sb.toString();
    }

    private static int hexDigit(char c) {
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
}
