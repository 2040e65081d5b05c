package org.mailroom.auth.password.internal.scheme;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import org.apache.commons.codec.DecoderException;
import org.apache.commons.codec.binary.Hex;
import org.mailroom.api.auth.PasswordScheme;

/**
 * Dovecot's SHA, SHA256, SHA512 (base64 of the digest) and their salted forms SSHA, SSHA256,
 * SSHA512 (base64 of digest(password + salt) followed by the salt).
 */
public final class DigestScheme implements PasswordScheme {

    private static final int SALT_LENGTH = 16;

    private final String algorithm;
    private final boolean salted;
    private final int digestLength;

    public DigestScheme(String algorithm, boolean salted) {
        this.algorithm = algorithm;
        this.salted = salted;
        this.digestLength = newDigest().getDigestLength();
    }

    @Override
    public boolean verify(String password, String encoded) {
        byte[] stored = decode(encoded);
        if (stored == null || (salted ? stored.length <= digestLength : stored.length != digestLength)) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(stored, digestLength, stored.length);
        byte[] expected = Arrays.copyOf(stored, digestLength);
        return Secrets.equal(expected, digest(password, salt));
    }

    @Override
    public String encode(String password) {
        if (!salted) {
            return Base64.getEncoder().encodeToString(digest(password, new byte[0]));
        }
        byte[] salt = Secrets.randomBytes(SALT_LENGTH);
        byte[] hash = digest(password, salt);
        byte[] out = Arrays.copyOf(hash, hash.length + salt.length);
        System.arraycopy(salt, 0, out, hash.length, salt.length);
        return Base64.getEncoder().encodeToString(out);
    }

    /** Base64 as Dovecot writes it; hex is also accepted where its length is unambiguous. */
    private byte[] decode(String encoded) {
        if (!salted && encoded.length() == digestLength * 2) {
            try {
                return Hex.decodeHex(encoded);
            } catch (DecoderException e) {
                return null;
            }
        }
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] digest(String password, byte[] salt) {
        MessageDigest md = newDigest();
        md.update(Secrets.utf8(password));
        md.update(salt);
        return md.digest();
    }

    private MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by every Java platform", e);
        }
    }
}
