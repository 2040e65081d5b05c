package org.mailroom.auth.sm3.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * SM3 (GB/T 32905) and PBKDF2-HMAC-SM3 through Bouncy Castle's lightweight API, so no JCE
 * provider is registered anywhere.
 */
final class Sm3 {

    static final int DIGEST_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Sm3() {}

    static byte[] digest(byte[]... parts) {
        SM3Digest d = new SM3Digest();
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[DIGEST_BYTES];
        d.doFinal(out, 0);
        return out;
    }

    static byte[] pbkdf2(byte[] password, byte[] salt, int rounds, int keyBytes) {
        PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SM3Digest());
        gen.init(password, salt, rounds);
        return ((KeyParameter) gen.generateDerivedParameters(keyBytes * 8)).getKey();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static final char[] CRYPT_ALPHABET =
            "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    /** A random salt in the crypt(3) alphabet, so that it needs no escaping in a passwd-file. */
    static String cryptSalt(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(CRYPT_ALPHABET[RANDOM.nextInt(CRYPT_ALPHABET.length)]);
        }
        return sb.toString();
    }
}
