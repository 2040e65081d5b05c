package org.mailroom.pop3.internal;

import java.util.List;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.store.MailStore;

/** The services a POP3 session uses, looked up afresh for every use (they may be replaced at any time). */
interface Pop3Services {

    /** The login service, or null when none is registered right now. */
    LoginService login();

    /** The mail store, or null when none is registered right now. */
    MailStore store();

    /** The SASL mechanisms registered right now, best first. */
    List<SaslMechanism> mechanisms();

    /**
     * True if a mechanism of this name was registered until lately: a client asking for it while
     * its bundle is being replaced gets a temporary failure, not "unsupported".
     */
    boolean recentlyGone(String name);
}
