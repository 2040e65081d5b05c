package org.mailroom.api.auth;

import java.util.Objects;

/** A user name and a clear-text password, as sent by USER/PASS or SASL PLAIN and LOGIN. */
public record PasswordCredentials(String user, String password) implements Credentials {

    public static final String TYPE = "password";

    public PasswordCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "PasswordCredentials[user=" + user + "]";
    }
}
