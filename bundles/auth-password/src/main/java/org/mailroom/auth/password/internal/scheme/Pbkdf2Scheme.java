package org.mailroom.auth.password.internal.scheme;

import org.apache.commons.codec.DecoderException;
import org.apache.commons.codec.binary.Hex;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;
import org.mailroom.api.auth.PasswordScheme;

/**
 * Dovecot's PBKDF2: {@code $1$SALT$ROUNDS$HEX}, PBKDF2-HMAC-SHA1 with the salt string's bytes as
 * the salt and a 20-byte key written in lower-case hex.
 */
public final class Pbkdf2Scheme implements PasswordScheme {

    public static final int MIN_ROUNDS = 1000;
    /** Verification refuses more rounds than this, so new hashes may not have more. */
    public static final int MAX_ROUNDS = 100_000_000;

    private static final int KEY_BYTES = 20;

    private final int rounds;

    public Pbkdf2Scheme(int rounds) {
        if (rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException(
                    "rounds must be within " + MIN_ROUNDS + ".." + MAX_ROUNDS + ": " + rounds);
        }
        this.rounds = rounds;
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
            expected = Hex.decodeHex(f[4]);
        } catch (NumberFormatException | DecoderException e) {
            return false;
        }
        if (storedRounds < 1 || storedRounds > MAX_ROUNDS || expected.length == 0 || expected.length > 64) {
            return false;
        }
        return Secrets.equal(expected, derive(password, f[2], storedRounds, expected.length));
    }

    @Override
    public String encode(String password) {
        String salt = Secrets.cryptSalt(16);
        return "$1$" + salt + "$" + rounds + "$" + Hex.encodeHexString(derive(password, salt, rounds, KEY_BYTES));
    }

    private static byte[] derive(String password, String salt, int rounds, int keyBytes) {
        PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA1Digest());
        gen.init(Secrets.utf8(password), Secrets.utf8(salt), rounds);
        return ((KeyParameter) gen.generateDerivedParameters(keyBytes * 8)).getKey();
    }
}
