/**
 * Mail stores: {@link org.mailroom.api.store.MailStore}, implemented by store modules, and the
 * value types protocols keep between commands.
 *
 * <p>Compatibility: {@code MailStore} is a consumer type and the record
 * {@link org.mailroom.api.store.MessageInfo} keeps its components: both change only with a major
 * version; new service property names may appear in a minor version.
 */
@Version("2.0.0")
@Export
package org.mailroom.api.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
