package org.mailroom.api.store;

/** The message is no longer in the mailbox. */
public class MessageNotFoundException extends StoreException {

    private static final long serialVersionUID = 1L;

    public MessageNotFoundException(String message) {
        super(message, false);
    }
}
