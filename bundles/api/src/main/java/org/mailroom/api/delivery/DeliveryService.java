package org.mailroom.api.delivery;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Delivers one message to one local mailbox. Registered as an OSGi service; the spool looks it up
 * for every delivery, so it can be updated while mail flows. Thread-safe; may block (it writes the
 * mailbox), and is called off any I/O thread.
 */
@ProviderType
public interface DeliveryService {

    /**
     * Delivers the message, exactly once per {@link Delivery#key()}: delivering the same key again
     * (a retry after a crash) writes nothing and answers {@link Verdict.Outcome#DELIVERED}.
     * Never throws for a failed delivery: that is the verdict.
     */
    Verdict deliver(Delivery delivery);
}
