/** The Maildir store and its console command; the header tells Karaf's extender where the command is. */
@Header(name = "Karaf-Commands", value = "org.mailroom.store.maildir.internal")
package org.mailroom.store.maildir.internal;

import org.osgi.annotation.bundle.Header;
