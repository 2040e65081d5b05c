/**
 * Mail addresses: {@link org.mailroom.api.address.Addresses}, which says which envelope addresses
 * are local and whose mailboxes they reach (local domains, aliases, the recipient delimiter,
 * postmaster), and which addresses a user may send from. Implemented by an address module,
 * used by the SMTP and LMTP protocols and by delivery.
 *
 * <p>Compatibility: {@code Addresses} is a consumer type; it and the record
 * {@link org.mailroom.api.address.Resolution} (which never gains, loses or reorders a component)
 * change only with a major version. New {@link org.mailroom.api.address.Resolution.Kind}
 * constants may appear only with a major version too.
 */
@Version("1.0.0")
@Export
package org.mailroom.api.address;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
