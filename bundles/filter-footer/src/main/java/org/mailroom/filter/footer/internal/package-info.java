/** The footer filter and its console command; the header tells Karaf's extender where the command is. */
@Header(name = "Karaf-Commands", value = "org.mailroom.filter.footer.internal")
package org.mailroom.filter.footer.internal;

import org.osgi.annotation.bundle.Header;
