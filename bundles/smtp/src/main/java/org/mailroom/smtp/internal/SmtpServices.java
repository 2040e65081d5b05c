package org.mailroom.smtp.internal;

import java.util.List;
import org.mailroom.api.address.Addresses;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.spool.Spool;

/** The services an SMTP session uses, looked up afresh for every use (they may be replaced at any time). */
interface SmtpServices {

    /** The spool, or null when none is registered right now. */
    Spool spool();

    /** The address service, or null when none is registered right now. */
    Addresses addresses();

    /** The login service (submission), or null when none is registered right now. */
    LoginService login();

    /** The SASL mechanisms registered right now, best first. */
    List<SaslMechanism> mechanisms();

    /**
     * True if a mechanism of this name was registered until lately: a client asking for it while
     * its bundle is being replaced gets a temporary failure, not "unsupported".
     */
    boolean recentlyGone(String name);
}
