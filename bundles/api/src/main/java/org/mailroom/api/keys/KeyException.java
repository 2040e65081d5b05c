package org.mailroom.api.keys;

/** A key operation failed. {@link #isTemporary()} tells whether retrying later may succeed. */
public class KeyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean temporary;

    public KeyException(String message, boolean temporary) {
        super(message);
        this.temporary = temporary;
    }

    public KeyException(String message, boolean temporary, Throwable cause) {
        super(message, cause);
        this.temporary = temporary;
    }

    public boolean isTemporary() {
        return temporary;
    }
}
