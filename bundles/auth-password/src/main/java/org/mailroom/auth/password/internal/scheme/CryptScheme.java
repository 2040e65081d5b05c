package org.mailroom.auth.password.internal.scheme;

import java.util.regex.Pattern;
import org.apache.commons.codec.digest.UnixCrypt;
import org.mailroom.api.auth.PasswordScheme;

/**
 * Dovecot's CRYPT: whatever crypt(3) understands, recognised by the hash's prefix ({@code $6$},
 * {@code $5$}, {@code $2y$}/{@code $2a$}/{@code $2b$}, {@code $1$}, or 13-character DES).
 * New passwords are encoded as SHA512-CRYPT.
 */
public final class CryptScheme implements PasswordScheme {

    private static final Pattern DES = Pattern.compile("[./0-9A-Za-z]{13}");

    private final ShaCryptScheme sha512;
    private final ShaCryptScheme sha256 = new ShaCryptScheme(false, ShaCryptScheme.DEFAULT_ROUNDS);
    private final BlfCryptScheme bcrypt = new BlfCryptScheme(BlfCryptScheme.MIN_COST);
    private final Md5CryptScheme md5 = new Md5CryptScheme();

    public CryptScheme(int sha512Rounds) {
        this.sha512 = new ShaCryptScheme(true, sha512Rounds);
    }

    @Override
    public boolean verify(String password, String encoded) {
        if (encoded.startsWith("$6$")) {
            return sha512.verify(password, encoded);
        }
        if (encoded.startsWith("$5$")) {
            return sha256.verify(password, encoded);
        }
        if (encoded.startsWith("$2")) {
            return bcrypt.verify(password, encoded);
        }
        if (encoded.startsWith("$1$")) {
            return md5.verify(password, encoded);
        }
        if (DES.matcher(encoded).matches()) {
            try {
                return Secrets.equalStrings(UnixCrypt.crypt(Secrets.utf8(password), encoded), encoded);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    @Override
    public String encode(String password) {
        return sha512.encode(password);
    }
}
