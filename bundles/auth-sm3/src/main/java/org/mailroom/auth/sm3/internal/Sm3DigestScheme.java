package org.mailroom.auth.sm3.internal;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.mailroom.api.auth.PasswordScheme;

/**
 * Plain and salted SM3 hashes, for passwords imported from systems that stored them so, in the
 * shape of Dovecot's SHA256/SSHA256: {@code {SM3}} is the digest in base64 (or hex, as
 * {@code openssl dgst -sm3} prints it), {@code {SSM3}} base64 of SM3(password + salt) followed
 * by the salt. Both are fast hashes: new passwords should use {@code SM3-PBKDF2}.
 */
class Sm3DigestScheme implements PasswordScheme {

    private static final int SALT_BYTES = 16;

    private final boolean salted;

    Sm3DigestScheme(boolean salted) {
        this.salted = salted;
    }

    @Override
    public boolean verify(String password, String encoded) {
        byte[] stored = decode(encoded);
        if (stored == null || (salted ? stored.length <= Sm3.DIGEST_BYTES : stored.length != Sm3.DIGEST_BYTES)) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(stored, Sm3.DIGEST_BYTES, stored.length);
        byte[] expected = Arrays.copyOf(stored, Sm3.DIGEST_BYTES);
        return Sm3.equal(expected, Sm3.digest(Sm3.utf8(password), salt));
    }

    @Override
    public String encode(String password) {
        byte[] salt = salted ? Sm3.randomBytes(SALT_BYTES) : new byte[0];
        byte[] hash = Sm3.digest(Sm3.utf8(password), salt);
        byte[] out = Arrays.copyOf(hash, hash.length + salt.length);
        System.arraycopy(salt, 0, out, hash.length, salt.length);
        return Base64.getEncoder().encodeToString(out);
    }

    private byte[] decode(String encoded) {
        if (!salted && encoded.length() == Sm3.DIGEST_BYTES * 2) {
            try {
                return HexFormat.of().parseHex(encoded);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
