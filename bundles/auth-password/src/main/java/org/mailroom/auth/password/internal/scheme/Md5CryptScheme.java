package org.mailroom.auth.password.internal.scheme;

import org.apache.commons.codec.digest.Md5Crypt;
import org.mailroom.api.auth.PasswordScheme;

/** MD5-CRYPT ({@code $1$}): weak, kept so that old password files keep working. */
public final class Md5CryptScheme implements PasswordScheme {

    @Override
    public boolean verify(String password, String encoded) {
        if (!encoded.startsWith("$1$")) {
            return false;
        }
        try {
            return Secrets.equalStrings(Md5Crypt.md5Crypt(Secrets.utf8(password), encoded), encoded);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String encode(String password) {
        return Md5Crypt.md5Crypt(Secrets.utf8(password), "$1$" + Secrets.cryptSalt(8));
    }
}
