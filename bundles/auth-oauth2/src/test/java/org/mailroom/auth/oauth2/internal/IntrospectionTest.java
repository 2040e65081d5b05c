package org.mailroom.auth.oauth2.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.net.ssl.SSLContext;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;

/** RFC 7662 introspection of opaque tokens, against a provider on loopback, on a clock the test moves. */
public class IntrospectionTest {

    private FakeProvider provider;
    private ProviderHttp http;
    private final MovingClock clock = new MovingClock();

    @Before
    public void setUp() throws Exception {
        provider = new FakeProvider();
        http = new ProviderHttp(Duration.ofSeconds(5), SSLContext.getDefault());
    }

    @After
    public void tearDown() {
        http.close();
        provider.close();
    }

    private IntrospectionIssuer issuer(String... pairs) {
        String[] all = new String[pairs.length + 6];
        all[0] = "mode";
        all[1] = "introspection";
        all[2] = "clientId";
        all[3] = FakeProvider.CLIENT_ID;
        all[4] = "clientSecret";
        all[5] = FakeProvider.CLIENT_SECRET;
        System.arraycopy(pairs, 0, all, 6, pairs.length);
        return new IntrospectionIssuer(IssuerSettings.of(provider.issuerSettings(all)), http, clock);
    }

    private static AuthResult check(Issuer issuer, String token) {
        return new TokenAuthenticator(() -> java.util.List.of(issuer), user -> true)
                .authenticate(new BearerCredentials("", token));
    }

    @Test
    public void anActiveTokenLogsItsUserInWithEitherClientAuthentication() {
        String token = provider.opaque("alice@example.com", answer -> {});
        assertEquals(AuthResult.success("alice"), check(issuer(), token));
        assertEquals(AuthResult.success("alice"), check(issuer("clientAuthentication", "post"), token));
        assertEquals("each issuer found the endpoint by discovery", 2, provider.discoveryFetches.get());
    }

    @Test
    public void aRevokedOrUnknownTokenIsRefused() {
        IntrospectionIssuer issuer = issuer("introspectionCacheSeconds", "0");
        String token = provider.opaque("alice@example.com", answer -> {});
        assertEquals(AuthResult.success("alice"), check(issuer, token));
        provider.revoke(token);
        AuthResult revoked = check(issuer, token);
        assertEquals(AuthResult.Status.INVALID, revoked.status());
        assertTrue(revoked.reason(), revoked.reason().contains("not active"));
        assertEquals(AuthResult.Status.INVALID, check(issuer, "never-issued").status());
    }

    @Test
    public void anAnswerIsReusedForTheCacheTimeButNeverPastTheTokensExpiry() {
        IntrospectionIssuer issuer = issuer("introspectionCacheSeconds", "60", "clockSkewSeconds", "0");
        String token = provider.opaque("alice@example.com", answer -> {});
        assertEquals(AuthResult.success("alice"), check(issuer, token));
        provider.revoke(token);
        clock.advance(Duration.ofSeconds(59));
        assertEquals("cached", AuthResult.success("alice"), check(issuer, token));
        assertEquals(1, provider.introspections.get());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(AuthResult.Status.INVALID, check(issuer, token).status());

        String shortLived = provider.opaque(
                "bob@example.com",
                answer -> answer.put("exp", clock.instant().plusSeconds(10).getEpochSecond()));
        assertEquals(AuthResult.success("bob"), check(issuer, shortLived));
        clock.advance(Duration.ofSeconds(11));
        AuthResult expired = check(issuer, shortLived);
        assertEquals(expired.toString(), AuthResult.Status.INVALID, expired.status());
        assertEquals("asked again once the token expired", 4, provider.introspections.get());
    }

    @Test
    public void theAnswerIsCheckedLikeAJwt() {
        IntrospectionIssuer issuer = issuer("requiredScope", "mail");
        assertEquals(
                AuthResult.Status.INVALID,
                check(issuer, provider.opaque("alice@example.com", answer -> answer.put("aud", "other")))
                        .status());
        assertEquals(
                AuthResult.Status.INVALID,
                check(issuer, provider.opaque("alice@example.com", answer -> answer.put("iss", "https://other/")))
                        .status());
        assertEquals(
                AuthResult.Status.INVALID,
                check(issuer, provider.opaque("alice@example.com", answer -> answer.put("scope", "openid")))
                        .status());
        assertEquals(
                "introspection answers need no exp",
                AuthResult.success("alice"),
                check(issuer, provider.opaque("alice@example.com", answer -> answer.remove("exp"))));
    }

    @Test
    public void aProviderThatIsDownOrRefusesTheClientIsATemporaryFailure() {
        String token = provider.opaque("alice@example.com", answer -> {});
        AuthResult wrongSecret = check(issuer("clientSecret", "wrong"), token);
        assertEquals(wrongSecret.toString(), AuthResult.Status.UNAVAILABLE, wrongSecret.status());
        assertTrue(wrongSecret.reason(), wrongSecret.reason().contains("HTTP 401"));
        IntrospectionIssuer issuer = issuer();
        provider.failing = true;
        assertEquals(AuthResult.Status.UNAVAILABLE, check(issuer, token).status());
        provider.failing = false;
        assertEquals(AuthResult.success("alice"), check(issuer, token));
        provider.close();
        assertEquals(
                AuthResult.Status.UNAVAILABLE,
                check(issuer("introspectionUri", provider.issuer + "/introspect"), token)
                        .status());
    }

    @Test
    public void theSettingsNeedTheClient() {
        try {
            IssuerSettings.of(provider.issuerSettings("mode", "introspection"));
            throw new AssertionError("accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("key clientId: missing"));
        }
    }

    private static final class MovingClock extends Clock {
        private Instant now = Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
