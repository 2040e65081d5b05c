package org.mailroom.auth.oauth2.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.sasl.SaslStep;
import org.mailroom.filter.daemon.CfgValues;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Modified;

/**
 * What OAUTHBEARER and XOAUTH2 share: one client message carrying the token (after an empty
 * challenge if the client gave no initial response), and a JSON error challenge when the token
 * is refused. A bearer token can be replayed by whoever sees it until it expires, so, like a
 * password, it needs TLS unless plaintext is configured (RFC 7628 5). The DS lifecycle methods
 * here serve both components (bnd's {@code -dsannotations-options: inherit}).
 */
abstract class BearerMechanism implements SaslMechanism {

    private volatile BearerSettings settings = BearerSettings.DEFAULTS;

    @Activate
    void activate(Map<String, Object> properties) {
        settings = CfgValues.required(properties, BearerSettings.PID, name() + " mechanism", BearerSettings::of);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        CfgValues.changed(properties, BearerSettings.PID, BearerSettings::of).ifPresent(s -> settings = s);
    }

    /** The client's message, decoded. */
    abstract BearerCredentials decode(byte[] message) throws SaslException;

    /** The {@code status} of the error challenge. */
    abstract String failureStatus();

    /** Members of the error challenge beyond {@code status}, {@code schemes} and {@code scope}. */
    void addToChallenge(Map<String, Object> challenge, BearerSettings settings) {}

    @Override
    public boolean exposesSecret() {
        return true;
    }

    @Override
    public SaslExchange start() {
        BearerSettings current = settings;
        return new SaslExchange() {
            private boolean challenged;
            private boolean done;

            @Override
            public SaslStep evaluate(byte[] response) throws SaslException {
                if (done) {
                    throw new SaslException(name() + " exchange already complete");
                }
                if (response.length == 0 && !challenged) {
                    challenged = true;
                    return SaslStep.challenge(new byte[0]);
                }
                done = true;
                return SaslStep.done(decode(response));
            }

            @Override
            public byte[] failureChallenge(AuthResult result) {
                Map<String, Object> challenge = new LinkedHashMap<>();
                challenge.put("status", failureStatus());
                challenge.put("schemes", "bearer");
                if (!current.scope().isEmpty()) {
                    challenge.put("scope", current.scope());
                }
                addToChallenge(challenge, current);
                return JSONObjectUtils.toJSONString(challenge).getBytes(UTF_8);
            }
        };
    }
}
