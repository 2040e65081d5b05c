package org.mailroom.api.filter;

import java.util.Objects;

/**
 * A change to the message's header that a filter asks for.
 *
 * @param add true to add the field on top of the message, false to remove every field of this name
 * @param name the field name
 * @param value the value to add (any text; non-ASCII is written as RFC 2047 words), empty to remove
 */
public record HeaderChange(boolean add, String name, String value) {

    public HeaderChange {
        Objects.requireNonNull(name, "name");
        value = value == null ? "" : value;
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header field name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || c == ':') {
                throw new IllegalArgumentException("not a header field name: " + name);
            }
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("line break in the value of header field " + name);
        }
    }
}
