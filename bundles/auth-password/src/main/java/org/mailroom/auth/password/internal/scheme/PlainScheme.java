package org.mailroom.auth.password.internal.scheme;

import org.mailroom.api.auth.PasswordScheme;

/** Dovecot's PLAIN (alias CLEARTEXT, CLEAR): the password itself. */
public final class PlainScheme implements PasswordScheme {

    @Override
    public boolean verify(String password, String encoded) {
        return Secrets.equalStrings(password, encoded);
    }

    @Override
    public String encode(String password) {
        return password;
    }
}
