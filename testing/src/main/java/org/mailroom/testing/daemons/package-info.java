/**
 * Private instances of the scanning daemons of Debian (clamd, spamd) for tests of the scanner
 * adapters: each with its own configuration, port and files in a folder the test chooses, no
 * network and no system-wide state. Plain Java: used by unit tests and inside Pax Exam alike.
 */
@Export
@Version("1.0.0")
package org.mailroom.testing.daemons;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
