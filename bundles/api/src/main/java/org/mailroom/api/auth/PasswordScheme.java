package org.mailroom.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One password hash format, named as in Dovecot's {@code {SCHEME}} prefixes (SHA512-CRYPT,
 * ARGON2ID, ...). Registered as an OSGi service with the {@link #NAME} property, so a bundle can
 * add a scheme without touching the user directory.
 */
@ConsumerType
public interface PasswordScheme {

    /** Service property: the scheme name, upper case, without braces. May list aliases. */
    String NAME = "mailroom.password.scheme";

    /**
     * @param password the clear-text password the client sent
     * @param encoded the stored value without its {@code {SCHEME}} prefix
     * @return whether the password matches; false for a malformed {@code encoded} value
     */
    boolean verify(String password, String encoded);

    /** Encodes a new password with a fresh salt; the result carries no {@code {SCHEME}} prefix. */
    String encode(String password);
}
