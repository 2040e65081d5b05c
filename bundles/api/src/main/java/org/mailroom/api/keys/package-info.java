/**
 * Key management for encryption at rest: {@link org.mailroom.api.keys.KeyProvider}, implemented
 * by key modules (a PKCS#12 keystore file today; an HSM or a KMS can implement it the same way),
 * and used by {@link org.mailroom.api.store.MessageCipher} implementations to wrap and unwrap
 * the data key of each message. Keys never leave the provider: callers hand it data keys.
 *
 * <p>Compatibility: {@code KeyProvider} is a consumer type: it changes only with a major version.
 */
@Version("1.0.0")
@Export
package org.mailroom.api.keys;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
