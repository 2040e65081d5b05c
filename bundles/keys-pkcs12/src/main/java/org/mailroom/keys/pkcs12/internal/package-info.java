/** The PKCS#12 key provider and its console commands; the header tells Karaf's extender where the commands are. */
@Header(name = "Karaf-Commands", value = "org.mailroom.keys.pkcs12.internal")
package org.mailroom.keys.pkcs12.internal;

import org.osgi.annotation.bundle.Header;
