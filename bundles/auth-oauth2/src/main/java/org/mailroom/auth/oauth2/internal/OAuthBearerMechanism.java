package org.mailroom.auth.oauth2.internal;

import java.util.Map;
import org.mailroom.api.auth.BearerCredentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslMechanism;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** SASL OAUTHBEARER (RFC 7628); settings in {@code etc/org.mailroom.auth.oauth2.cfg}. */
@Component(
        service = SaslMechanism.class,
        configurationPid = BearerSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class OAuthBearerMechanism extends BearerMechanism {

    @Override
    public String name() {
        return "OAUTHBEARER";
    }

    @Override
    BearerCredentials decode(byte[] message) throws SaslException {
        return BearerMessages.oauthBearer(message);
    }

    @Override
    String failureStatus() {
        return "invalid_token";
    }

    @Override
    void addToChallenge(Map<String, Object> challenge, BearerSettings settings) {
        if (!settings.openidConfiguration().isEmpty()) {
            challenge.put("openid-configuration", settings.openidConfiguration());
        }
    }
}
