package org.mailroom.auth.password.internal.scheme;

import org.apache.commons.codec.digest.Sha2Crypt;
import org.mailroom.api.auth.PasswordScheme;

/** SHA256-CRYPT ({@code $5$}) and SHA512-CRYPT ({@code $6$}) as in glibc crypt(3). */
public final class ShaCryptScheme implements PasswordScheme {

    public static final int DEFAULT_ROUNDS = 5000;
    public static final int MIN_ROUNDS = 1000;
    public static final int MAX_ROUNDS = 999_999_999;

    private final boolean sha512;
    private final int rounds;

    public ShaCryptScheme(boolean sha512, int rounds) {
        if (rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException(
                    "rounds must be within " + MIN_ROUNDS + ".." + MAX_ROUNDS + ": " + rounds);
        }
        this.sha512 = sha512;
        this.rounds = rounds;
    }

    private String prefix() {
        return sha512 ? "$6$" : "$5$";
    }

    @Override
    public boolean verify(String password, String encoded) {
        if (!encoded.startsWith(prefix())) {
            return false;
        }
        try {
            String computed = crypt(password, encoded);
            return Secrets.equalStrings(computed, encoded);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String encode(String password) {
        String salt = prefix() + (rounds == DEFAULT_ROUNDS ? "" : "rounds=" + rounds + "$") + Secrets.cryptSalt(16);
        return crypt(password, salt);
    }

    private String crypt(String password, String salt) {
        byte[] key = Secrets.utf8(password);
        return sha512 ? Sha2Crypt.sha512Crypt(key, salt) : Sha2Crypt.sha256Crypt(key, salt);
    }
}
