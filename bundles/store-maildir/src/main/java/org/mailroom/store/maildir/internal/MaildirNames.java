package org.mailroom.store.maildir.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.mailroom.api.auth.UserNames;

/** Pure functions over Maildir file names (Maildir spec and Dovecot conventions). */
final class MaildirNames {

    static final int MAX_UID_LENGTH = 70;
    private static final int DIGEST_UID_LENGTH = 32;
    private static final String INFO_SEPARATOR = ":2,";

    private MaildirNames() {}

    /**
     * The uid of a message file: Dovecot's base name (the part before ":2,"), or a digest of it
     * when it is not a valid POP3 UIDL (too long, or characters outside 0x21-0x7E).
     */
    static String uid(String fileName) {
        String base = baseName(fileName);
        if (base.length() <= MAX_UID_LENGTH && isPrintableAscii(base)) {
            return base;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(base.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(digest)
                    .substring(0, DIGEST_UID_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    static String baseName(String fileName) {
        int info = fileName.indexOf(INFO_SEPARATOR);
        return info < 0 ? fileName : fileName.substring(0, info);
    }

    private static boolean isPrintableAscii(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** The leading decimal number of the name (delivery time in epoch seconds), or -1. */
    static long epochSeconds(String fileName) {
        long value = 0;
        int i = 0;
        for (; i < fileName.length() && i < 18; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
        }
        return i == 0 ? -1 : value;
    }

    /**
     * The decimal number after {@code letter} in the middle component of a unique name
     * ({@code M} microseconds, {@code Q} delivery counter), or 0 when absent.
     */
    static long middleNumber(String fileName, char letter) {
        int dot = fileName.indexOf('.');
        if (dot < 0) {
            return 0;
        }
        int end = fileName.indexOf('.', dot + 1);
        String middle = fileName.substring(dot + 1, end < 0 ? fileName.length() : end);
        int at = middle.indexOf(letter);
        if (at < 0) {
            return 0;
        }
        long value = 0;
        for (int i = at + 1; i < middle.length() && i <= at + 18; i++) {
            char c = middle.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * The value of a Dovecot size field ({@code ,S=} or {@code ,W=}) in the base name, or -1 when
     * absent or malformed.
     */
    static long sizeField(String fileName, char field) {
        String base = baseName(fileName);
        String marker = "," + field + "=";
        int at = base.indexOf(marker);
        if (at < 0) {
            return -1;
        }
        int start = at + marker.length();
        int i = start;
        long value = 0;
        for (; i < base.length() && i - start < 18; i++) {
            char c = base.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
        }
        if (i == start || (i < base.length() && base.charAt(i) != ',')) {
            return -1;
        }
        return value;
    }

    /**
     * The host part of a unique name: '/' and ':' escaped as the Maildir spec asks, and ',' as
     * Dovecot does, because ',' starts the size fields.
     */
    static String sanitizeHost(String host) {
        StringBuilder sb = new StringBuilder(host.length());
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '/') {
                sb.append("\\057");
            } else if (c == ':') {
                sb.append("\\072");
            } else if (c == ',') {
                sb.append("\\054");
            } else if (c < 0x21 || c > 0x7E) {
                sb.append('_');
            } else {
                sb.append(c);
            }
        }
        return sb.length() == 0 ? "localhost" : sb.toString();
    }

    /** Why {@code user} cannot name a mailbox, or null: the user-name rule every module shares. */
    static String invalidUserReason(String user) {
        return UserNames.problem(user);
    }
}
