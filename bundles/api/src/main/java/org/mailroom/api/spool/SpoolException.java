package org.mailroom.api.spool;

/** The spool could not do what was asked; {@link #isTemporary()} if trying later may help. */
public class SpoolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean temporary;

    public SpoolException(String message, boolean temporary) {
        super(message);
        this.temporary = temporary;
    }

    public SpoolException(String message, boolean temporary, Throwable cause) {
        super(message, cause);
        this.temporary = temporary;
    }

    public boolean isTemporary() {
        return temporary;
    }
}
