/**
 * TLS engines beside the JDK's: {@link org.mailroom.api.tls.TlsEngineProvider}, implemented by
 * TLS modules (RFC 8998 ShangMi TLS today) and consulted by the transport with the client's
 * {@link org.mailroom.api.tls.ClientHello}.
 *
 * <p>Compatibility: {@code TlsEngineProvider} is a consumer type: it changes only with a major
 * version.
 */
@Version("1.0.0")
@Export
package org.mailroom.api.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
