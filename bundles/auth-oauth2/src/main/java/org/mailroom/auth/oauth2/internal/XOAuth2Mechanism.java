package org.mailroom.auth.oauth2.internal;

import org.mailroom.api.auth.BearerCredentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslMechanism;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * SASL XOAUTH2, as Google and Microsoft define it (the older form most mail clients still
 * send); settings in {@code etc/org.mailroom.auth.oauth2.cfg}.
 */
@Component(
        service = SaslMechanism.class,
        configurationPid = BearerSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class XOAuth2Mechanism extends BearerMechanism {

    @Override
    public String name() {
        return "XOAUTH2";
    }

    @Override
    BearerCredentials decode(byte[] message) throws SaslException {
        return BearerMessages.xoauth2(message);
    }

    @Override
    String failureStatus() {
        return "401";
    }
}
