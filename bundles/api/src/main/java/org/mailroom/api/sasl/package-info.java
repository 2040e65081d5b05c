@Version("2.0.0")
@Export
package org.mailroom.api.sasl;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
