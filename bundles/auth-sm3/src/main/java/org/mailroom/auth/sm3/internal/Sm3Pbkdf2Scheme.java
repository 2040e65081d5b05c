package org.mailroom.auth.sm3.internal;

import java.util.HexFormat;
import org.mailroom.api.auth.PasswordScheme;

/**
 * {@code {SM3-PBKDF2}$1$SALT$ROUNDS$HEX}: the shape of Dovecot's {@code {PBKDF2}} with HMAC-SM3
 * in place of HMAC-SHA1 and a 32-byte key. The salt string's bytes are the salt; the rounds are
 * in the hash, so a changed cost never locks anyone out.
 */
final class Sm3Pbkdf2Scheme implements PasswordScheme {

    static final int MIN_ROUNDS = 1000;
    /** Verification refuses more rounds than this, so new hashes may not have more. */
    static final int MAX_ROUNDS = 100_000_000;

    private static final int SALT_CHARS = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final int rounds;

    Sm3Pbkdf2Scheme(int rounds) {
        if (rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException(
                    "rounds must be within " + MIN_ROUNDS + ".." + MAX_ROUNDS + ": " + rounds);
        }
        this.rounds = rounds;
    }

    int rounds() {
        return rounds;
    }

    @Override
    public boolean verify(String password, String encoded) {
        String[] f = encoded.split("\\$", -1);
        if (f.length != 5 || !f[0].isEmpty() || !f[1].equals("1") || f[2].isEmpty()) {
            return false;
        }
        int storedRounds;
        byte[] expected;
        try {
            storedRounds = Integer.parseInt(f[3]);
            expected = HEX.parseHex(f[4]);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (storedRounds < 1 || storedRounds > MAX_ROUNDS || expected.length == 0 || expected.length > 64) {
            return false;
        }
        return Sm3.equal(expected, Sm3.pbkdf2(Sm3.utf8(password), Sm3.utf8(f[2]), storedRounds, expected.length));
    }

    @Override
    public String encode(String password) {
        String salt = Sm3.cryptSalt(SALT_CHARS);
        byte[] key = Sm3.pbkdf2(Sm3.utf8(password), Sm3.utf8(salt), rounds, Sm3.DIGEST_BYTES);
        return "$1$" + salt + "$" + rounds + "$" + HEX.formatHex(key);
    }
}
