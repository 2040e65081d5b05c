package org.mailroom.pop3.internal;

import java.util.List;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.store.MailStore;

/** The services a POP3 session uses, looked up afresh for every use (they may be replaced at any time). */
interface Pop3Services {

    /** The best authenticator for a credential type, or null when none is registered right now. */
    Authenticator authenticator(String credentialType);

    /** The mail store, or null when none is registered right now. */
    MailStore store();

    /** The SASL mechanisms registered right now, best first. */
    List<SaslMechanism> mechanisms();
}
