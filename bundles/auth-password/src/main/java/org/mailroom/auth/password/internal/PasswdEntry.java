package org.mailroom.auth.password.internal;

/**
 * One user line of a passwd-file.
 *
 * @param user the name, case-sensitive
 * @param scheme the upper-case {@code {SCHEME}} name, or null when the hash has no prefix
 * @param hash the stored value without its prefix; empty if the user has no password
 * @param line the 1-based line number
 */
public record PasswdEntry(String user, String scheme, String hash, int line) {}
