/**
 * SASL mechanisms (RFC 4422) that authentication modules provide and protocols offer.
 *
 * <p>Compatibility: {@link org.mailroom.api.sasl.SaslMechanism} and
 * {@link org.mailroom.api.sasl.SaslExchange} are consumer types, and the record
 * {@link org.mailroom.api.sasl.SaslStep} keeps its components: all change only with a major version.
 */
@Version("2.0.0")
@Export
package org.mailroom.api.sasl;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
