package org.mailroom.transport.internal;

/** A configuration value that cannot be used; the message names the key. */
final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    ConfigException(String key, String reason) {
        super(key + " " + reason);
    }
}
