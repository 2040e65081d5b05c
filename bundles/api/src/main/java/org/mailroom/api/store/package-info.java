/**
 * Mail stores: {@link org.mailroom.api.store.MailStore}, implemented by store modules, the value
 * types protocols keep between commands, and (since 2.1) {@link org.mailroom.api.store.MessageCipher},
 * the encryption at rest a store uses.
 *
 * <p>Compatibility: {@code MailStore} is a consumer type and the record
 * {@link org.mailroom.api.store.MessageInfo} keeps its components: both change only with a major
 * version; new service property names may appear in a minor version. {@code MessageCipher} is a
 * consumer type too.
 */
@Version("2.1.0")
@Export
package org.mailroom.api.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
