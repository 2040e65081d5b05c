package org.mailroom.api.store;

/** A store operation failed. {@link #isTemporary()} tells whether retrying later may succeed. */
public class StoreException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean temporary;

    public StoreException(String message, boolean temporary) {
        super(message);
        this.temporary = temporary;
    }

    public StoreException(String message, boolean temporary, Throwable cause) {
        super(message, cause);
        this.temporary = temporary;
    }

    public boolean isTemporary() {
        return temporary;
    }
}
