/**
 * Delivery into local mailboxes: {@link org.mailroom.api.delivery.DeliveryService}, the one
 * hand-off from the spool to the mailboxes (where the content filters plug in), with its value
 * types. Implemented by Mailroom's delivery bundle, called by the spool.
 *
 * <p>Compatibility: {@code DeliveryService} and {@code MessageSource} are provider types and may
 * gain methods in a minor version; the records never gain, lose or reorder a component in a minor
 * version, and {@link org.mailroom.api.delivery.Verdict.Outcome} may gain constants in a minor
 * version (a caller treats one it does not know as {@code RETRY}). 1.1: the content filters'
 * outcomes {@code REJECTED}, {@code DEFERRED} and {@code QUARANTINED}.
 */
@Version("1.1.0")
@Export
package org.mailroom.api.delivery;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
