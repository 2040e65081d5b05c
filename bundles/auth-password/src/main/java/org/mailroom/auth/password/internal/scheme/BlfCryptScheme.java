package org.mailroom.auth.password.internal.scheme;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.mailroom.api.auth.PasswordScheme;

/** BLF-CRYPT: bcrypt in the {@code $2a$}, {@code $2b$} and {@code $2y$} forms; encodes {@code $2y$}. */
public final class BlfCryptScheme implements PasswordScheme {

    public static final int MIN_COST = 4;
    public static final int MAX_COST = 31;

    private final int cost;

    public BlfCryptScheme(int cost) {
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new IllegalArgumentException("cost must be within " + MIN_COST + ".." + MAX_COST + ": " + cost);
        }
        this.cost = cost;
    }

    @Override
    public boolean verify(String password, String encoded) {
        if (!(encoded.startsWith("$2a$") || encoded.startsWith("$2b$") || encoded.startsWith("$2y$"))) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(encoded, truncate(Secrets.utf8(password)));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String encode(String password) {
        return OpenBSDBCrypt.generate("2y", truncate(Secrets.utf8(password)), Secrets.randomBytes(16), cost);
    }

    /** bcrypt uses at most 72 bytes of the password; crypt(3) silently ignores the rest. */
    private static byte[] truncate(byte[] password) {
        return password.length <= 72 ? password : java.util.Arrays.copyOf(password, 72);
    }
}
