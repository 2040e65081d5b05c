package org.mailroom.api.tls;

import java.io.IOException;

/** The bytes are not the start of a TLS connection that a ClientHello can be read from. */
public final class MalformedClientHelloException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedClientHelloException(String message) {
        super(message);
    }
}
