/**
 * The spool: where an accepted message is kept, durably, until it is delivered to every
 * recipient. {@link org.mailroom.api.spool.Spool} is implemented by Mailroom's spool bundle and
 * used by the protocols that receive mail (SMTP, LMTP) and by the console.
 *
 * <p>Compatibility: {@code Spool} and {@code SpoolWriter} are provider types and may gain methods
 * in a minor version; the records never gain, lose or reorder a component in a minor version, and
 * {@link org.mailroom.api.spool.RecipientStatus.State} may gain constants in a minor version.
 * 1.1: {@code SpoolWriter.deliverBeforeReply} and {@code commit(Set)}, so that a protocol can give
 * the content filters' verdicts in its reply.
 */
@Version("1.1.0")
@Export
package org.mailroom.api.spool;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
