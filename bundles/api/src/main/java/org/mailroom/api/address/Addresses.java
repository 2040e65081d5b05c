package org.mailroom.api.address;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Which envelope addresses are Mailroom's, and whose mailboxes they reach. Registered as an OSGi
 * service; protocols look it up per command, so it can be updated while sessions are open.
 *
 * <p>Addresses are given as in an SMTP path without the angle brackets ({@code local@domain},
 * the local part possibly quoted, the domain possibly in UTF-8), or {@code postmaster} alone
 * (RFC 5321 section 4.5.1). Domains compare case-insensitively. Implementations are thread-safe
 * and do not block on the network.
 */
@ConsumerType
public interface Addresses {

    /**
     * Where mail for this recipient goes: the local users whose mailboxes it reaches (a user's
     * own address, an alias, {@code postmaster}), {@link Resolution.Kind#UNKNOWN} for a local
     * domain without such a recipient, {@link Resolution.Kind#FOREIGN} for a domain that is not
     * local, or {@link Resolution.Kind#UNAVAILABLE} when that cannot be decided now.
     */
    Resolution resolve(String address);

    /**
     * True if {@code user} (a logged-in user name) may use {@code address} as the envelope sender:
     * it is one of the user's own addresses, or an alias that reaches that user alone.
     */
    boolean isAddressOf(String user, String address);

    /** True if mail for this domain is delivered here. */
    boolean isLocalDomain(String domain);
}
