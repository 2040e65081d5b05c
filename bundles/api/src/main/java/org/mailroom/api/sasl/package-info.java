/**
 * SASL mechanisms (RFC 4422) that authentication modules provide and protocols offer.
 *
 * <p>Compatibility: {@link org.mailroom.api.sasl.SaslMechanism} and
 * {@link org.mailroom.api.sasl.SaslExchange} are consumer types (a method added to them comes in a
 * minor version only with a default that keeps the old behaviour, as {@code failureChallenge} in
 * 2.1), and the record {@link org.mailroom.api.sasl.SaslStep} keeps its components.
 */
@Version("2.1.0")
@Export
package org.mailroom.api.sasl;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
