package org.mailroom.api.filter;

import java.util.Objects;

/**
 * One header field.
 *
 * @param name the field name as written (compare it ignoring case)
 * @param value the value unfolded, with RFC 2047 encoded words decoded
 * @param raw the value unfolded, as written (encoded words left as they are)
 */
public record MimeField(String name, String value, String raw) {

    public MimeField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(raw, "raw");
    }
}
