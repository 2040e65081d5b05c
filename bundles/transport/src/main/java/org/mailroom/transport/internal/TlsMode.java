package org.mailroom.transport.internal;

import java.util.Locale;

/** How a listener uses TLS. */
enum TlsMode {
    NONE,
    STARTTLS,
    IMPLICIT;

    static TlsMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls must be none, starttls or implicit, not '" + value + "'");
        }
    }
}
