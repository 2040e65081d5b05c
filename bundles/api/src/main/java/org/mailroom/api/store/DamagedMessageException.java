package org.mailroom.api.store;

/**
 * The message's file is there but fails its integrity check (an encrypted message tampered
 * with or truncated): it is not served. Permanent for this message; other messages are fine.
 *
 * @since 2.1
 */
public class DamagedMessageException extends StoreException {

    private static final long serialVersionUID = 1L;

    public DamagedMessageException(String message) {
        super(message, false);
    }

    public DamagedMessageException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
