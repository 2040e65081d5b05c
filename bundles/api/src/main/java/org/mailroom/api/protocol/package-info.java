/**
 * Protocols on the transport: {@link org.mailroom.api.protocol.Protocol} and
 * {@link org.mailroom.api.protocol.ProtocolSession} (implemented by protocol bundles), and
 * {@link org.mailroom.api.protocol.Connection} (implemented by the transport only).
 *
 * <p>Compatibility: {@code Connection} is a provider type and may gain methods in a minor
 * version; the consumer types change only with a major version.
 */
@Version("2.1.0")
@Export
package org.mailroom.api.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
