/**
 * Test helpers for Mailroom and for modules built on it (plain JUnit, no OSGi needed).
 * Versioned like the API: a minor version only adds.
 */
@Export
@Version("1.0.0")
package org.mailroom.testing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
