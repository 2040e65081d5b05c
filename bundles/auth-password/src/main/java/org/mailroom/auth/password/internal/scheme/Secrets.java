package org.mailroom.auth.password.internal.scheme;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** Helpers shared by the schemes: UTF-8 encoding, constant-time comparison, salts. */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static final char[] CRYPT_ALPHABET =
            "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private Secrets() {}

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Constant-time for equal lengths; the length itself is not secret for the callers. */
    public static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** Compares two strings in time independent of where they differ and of their lengths. */
    public static boolean equalStrings(String a, String b) {
        return MessageDigest.isEqual(sha256(utf8(a)), sha256(utf8(b))) && a.equals(b);
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A random salt in the crypt(3) alphabet {@code [./0-9A-Za-z]}. */
    public static String cryptSalt(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(CRYPT_ALPHABET[RANDOM.nextInt(CRYPT_ALPHABET.length)]);
        }
        return sb.toString();
    }
}
