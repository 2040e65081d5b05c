package org.mailroom.auth.oauth2.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Map;
import org.junit.Test;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslStep;

/** The client messages of OAUTHBEARER (RFC 7628's own examples) and XOAUTH2, and the error challenges. */
public class BearerMechanismTest {

    private static final String TOKEN = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static BearerCredentials oauthBearer(String message) throws SaslException {
        SaslStep step = new OAuthBearerMechanism().start().evaluate(bytes(message));
        assertTrue(step.isDone());
        return (BearerCredentials) step.credentials();
    }

    private static void refused(String message) {
        try {
            BearerMessages.oauthBearer(bytes(message));
            fail("accepted " + message);
        } catch (SaslException expected) {
            assertFalse(expected.getMessage().contains(TOKEN));
        }
    }

    @Test
    public void oauthBearerMessagesOfRfc7628() throws SaslException {
        assertEquals(
                new BearerCredentials("user@example.com", TOKEN),
                oauthBearer("n,a=user@example.com,\u0001host=server.example.com\u0001port=143\u0001auth=Bearer " + TOKEN
                        + "\u0001\u0001"));
        assertEquals(new BearerCredentials("", TOKEN), oauthBearer("n,,\u0001auth=Bearer " + TOKEN + "\u0001\u0001"));
        assertEquals(
                "saslname escapes",
                new BearerCredentials("a,b=c", TOKEN),
                oauthBearer("y,a=a=2Cb=3Dc,\u0001auth=bearer " + TOKEN + "\u0001\u0001"));
    }

    @Test
    public void malformedOauthBearerMessagesAreRefused() {
        refused("n,a=user,\u0001auth=Bearer " + TOKEN + "\u0001");
        refused("n,a=user,\u0001host=x\u0001\u0001");
        refused("p=tls-unique,,\u0001auth=Bearer " + TOKEN + "\u0001\u0001");
        refused("n,a=bad=escape,\u0001auth=Bearer " + TOKEN + "\u0001\u0001");
        refused("n,,\u0001auth=Basic " + TOKEN + "\u0001\u0001");
        refused("n,,\u0001auth=Bearer with spaces\u0001\u0001");
        refused("n,,\u0001auth=Bearer \u0001\u0001");
        refused("auth=Bearer " + TOKEN);
    }

    @Test
    public void xoauth2Messages() throws SaslException {
        SaslStep step = new XOAuth2Mechanism()
                .start()
                .evaluate(bytes("user=someuser@example.com\u0001auth=Bearer " + TOKEN + "\u0001\u0001"));
        assertEquals(new BearerCredentials("someuser@example.com", TOKEN), step.credentials());
        try {
            BearerMessages.xoauth2(bytes("auth=Bearer " + TOKEN + "\u0001\u0001"));
            fail("accepted a message without user=");
        } catch (SaslException expected) {
            // refused
        }
    }

    @Test
    public void withoutAnInitialResponseTheServerAsksWithAnEmptyChallenge() throws SaslException {
        SaslExchange exchange = new OAuthBearerMechanism().start();
        SaslStep first = exchange.evaluate(new byte[0]);
        assertFalse(first.isDone());
        assertArrayEquals(new byte[0], first.challenge());
        assertTrue(exchange.evaluate(bytes("n,,\u0001auth=Bearer " + TOKEN + "\u0001\u0001"))
                .isDone());
    }

    @Test
    public void aRefusedTokenGetsTheJsonErrorChallenge() throws SaslException {
        OAuthBearerMechanism bearer = new OAuthBearerMechanism();
        bearer.activate(Map.of(
                "scope",
                "openid email",
                "openidConfiguration",
                "https://id.example.com/.well-known/openid-configuration"));
        SaslExchange exchange = bearer.start();
        exchange.evaluate(bytes("n,,\u0001auth=Bearer " + TOKEN + "\u0001\u0001"));
        assertEquals(
                "{\"status\":\"invalid_token\",\"schemes\":\"bearer\",\"scope\":\"openid email\","
                        + "\"openid-configuration\":\"https://id.example.com/.well-known/openid-configuration\"}",
                new String(exchange.failureChallenge(AuthResult.invalid("", "expired")), UTF_8));
        XOAuth2Mechanism xoauth2 = new XOAuth2Mechanism();
        xoauth2.activate(Map.of());
        assertEquals(
                "{\"status\":\"401\",\"schemes\":\"bearer\"}",
                new String(xoauth2.start().failureChallenge(AuthResult.invalid("", "expired")), UTF_8));
        assertTrue("a bearer token can be replayed: TLS as for passwords", bearer.exposesSecret());
    }

    @Test
    public void aBadSettingIsReportedWithItsKey() {
        try {
            new OAuthBearerMechanism().activate(Map.of("openidConfiguration", "http://id.example.com/x"));
            fail("accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("key openidConfiguration: "));
            assertTrue(e.getMessage(), e.getMessage().contains("must be https"));
        }
    }
}
