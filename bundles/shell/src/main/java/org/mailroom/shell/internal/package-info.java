/** Karaf console commands in scope {@code mail}; the header tells Karaf's extender where to find them. */
@Header(name = "Karaf-Commands", value = "org.mailroom.shell.internal")
package org.mailroom.shell.internal;

import org.osgi.annotation.bundle.Header;
