package org.mailroom.api.sasl;

/** A malformed SASL client response. The message is safe to log, never contains secrets. */
public class SaslException extends Exception {

    private static final long serialVersionUID = 1L;

    public SaslException(String message) {
        super(message);
    }
}
