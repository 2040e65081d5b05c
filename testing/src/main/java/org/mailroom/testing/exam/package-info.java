/**
 * Pax Exam support: boot the Mailroom distribution and test a module inside it.
 * Versioned like the API: a minor version only adds.
 */
@Export
@Version("1.1.0")
package org.mailroom.testing.exam;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
