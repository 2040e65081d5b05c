package org.mailroom.auth.oauth2.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;
import org.mailroom.api.auth.UserDirectory;

/** The authenticator and its issuers as DS would wire them, against a provider on loopback. */
public class OAuth2AuthenticatorTest {

    private FakeProvider provider;
    private RSAKey key;
    private final OAuth2Authenticator authenticator = new OAuth2Authenticator();
    private final Users users = new Users(Set.of("alice", "bob"));
    private IssuerComponent issuer;

    @Before
    public void setUp() throws Exception {
        provider = new FakeProvider();
        key = FakeProvider.rsa("k1");
        provider.publish(key);
        authenticator.bindDirectory(users);
        authenticator.activate(Map.of());
    }

    @After
    public void tearDown() {
        if (issuer != null) {
            issuer.deactivate();
        }
        provider.close();
    }

    private void issuer(String... pairs) {
        issuer = new IssuerComponent();
        issuer.activate(provider.issuerSettings(pairs));
        authenticator.bindIssuer(issuer);
    }

    /** A valid token for the user, signed with the published key. */
    private String token(String email) throws Exception {
        return FakeProvider.sign(key, provider.claims(email).build());
    }

    private AuthResult login(String authzid, String token) {
        return authenticator.authenticate(new BearerCredentials(authzid, token));
    }

    private static void assertInvalid(AuthResult result, String reason) {
        assertEquals(result.toString(), AuthResult.Status.INVALID, result.status());
        assertTrue(result.reason(), result.reason().contains(reason));
    }

    private static void assertUnavailable(AuthResult result, String reason) {
        assertUnavailable(result.toString(), result, reason);
    }

    private static void assertUnavailable(String message, AuthResult result, String reason) {
        assertEquals(message + ": " + result, AuthResult.Status.UNAVAILABLE, result.status());
        assertTrue(result.reason(), result.reason().contains(reason));
    }

    @Test
    public void aValidTokenLogsItsUserIn() throws Exception {
        issuer();
        String token = token("alice@example.com");
        assertEquals(AuthResult.success("alice"), login("", token));
        assertEquals(AuthResult.success("alice"), login("alice@example.com", token));
        assertEquals(AuthResult.success("alice"), login("alice", token));
        assertEquals("discovery found the key set", 1, provider.discoveryFetches.get());
        assertEquals("the key set is cached", 1, provider.keySetFetches.get());
    }

    @Test
    public void everyAllowedAlgorithmFamilyVerifies() throws Exception {
        ECKey p256 = FakeProvider.ec("e1", Curve.P_256);
        ECKey p384 = FakeProvider.ec("e2", Curve.P_384);
        ECKey p521 = FakeProvider.ec("e3", Curve.P_521);
        List.of(p256, p384, p521).forEach(provider::publish);
        issuer();
        JWTClaimsSet claims = provider.claims("bob@example.com").build();
        for (JWSAlgorithm alg : List.of(
                JWSAlgorithm.RS256,
                JWSAlgorithm.RS384,
                JWSAlgorithm.RS512,
                JWSAlgorithm.PS256,
                JWSAlgorithm.PS384,
                JWSAlgorithm.PS512)) {
            assertEquals(alg.getName(), AuthResult.success("bob"), login("", FakeProvider.sign(key, alg, claims)));
        }
        assertEquals(AuthResult.success("bob"), login("", FakeProvider.sign(p256, JWSAlgorithm.ES256, claims)));
        assertEquals(AuthResult.success("bob"), login("", FakeProvider.sign(p384, JWSAlgorithm.ES384, claims)));
        assertEquals(AuthResult.success("bob"), login("", FakeProvider.sign(p521, JWSAlgorithm.ES512, claims)));
    }

    @Test
    public void onlyTheConfiguredAlgorithmsVerify() throws Exception {
        issuer("algorithms", "ES256");
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())),
                "token refused");
    }

    @Test
    public void expiredNotYetValidAndFutureTokensAreRefused() throws Exception {
        issuer("clockSkewSeconds", "60");
        Instant now = Instant.now();
        JWTClaimsSet expired = provider.claims("alice@example.com")
                .issueTime(Date.from(now.minusSeconds(7200)))
                .notBeforeTime(Date.from(now.minusSeconds(7200)))
                .expirationTime(Date.from(now.minusSeconds(120)))
                .build();
        assertInvalid(login("", FakeProvider.sign(key, expired)), "Expired JWT");
        JWTClaimsSet withinSkew = provider.claims("alice@example.com")
                .expirationTime(Date.from(now.minusSeconds(30)))
                .build();
        assertEquals(AuthResult.success("alice"), login("", FakeProvider.sign(key, withinSkew)));
        JWTClaimsSet notYet = provider.claims("alice@example.com")
                .notBeforeTime(Date.from(now.plusSeconds(600)))
                .build();
        assertInvalid(login("", FakeProvider.sign(key, notYet)), "before use time");
        JWTClaimsSet future = provider.claims("alice@example.com")
                .issueTime(Date.from(now.plusSeconds(600)))
                .build();
        assertInvalid(login("", FakeProvider.sign(key, future)), "issued in the future");
        JWTClaimsSet noExpiry =
                provider.claims("alice@example.com").expirationTime(null).build();
        assertInvalid(login("", FakeProvider.sign(key, noExpiry)), "missing required claims");
    }

    @Test
    public void wrongAudienceAndWrongIssuerAreRefused() throws Exception {
        issuer();
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                key,
                                provider.claims("alice@example.com")
                                        .audience("other-app")
                                        .build())),
                "aud claim rejected");
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                key,
                                provider.claims("alice@example.com")
                                        .issuer("https://evil.example/")
                                        .build())),
                "issuer https://evil.example/ is not configured");
    }

    @Test
    public void anUnknownKeyIsRefusedAfterOneRateLimitedRefetch() throws Exception {
        issuer("keyRefetchSeconds", "3000", "keyCacheSeconds", "3600");
        assertEquals(
                AuthResult.success("alice"),
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())));
        assertEquals(1, provider.keySetFetches.get());
        RSAKey stranger = FakeProvider.rsa("k-unknown");
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                stranger, provider.claims("alice@example.com").build())),
                "refused");
        assertEquals("an unknown kid fetches the key set again", 2, provider.keySetFetches.get());
        RSAKey another = FakeProvider.rsa("k-unknown-2");
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                another, provider.claims("alice@example.com").build())),
                "unknown key");
        assertEquals("not a third time within keyRefetchSeconds", 2, provider.keySetFetches.get());
        RSAKey forger = FakeProvider.rsa("k1");
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                forger, provider.claims("alice@example.com").build())),
                "refused");
    }

    @Test
    public void aRotatedKeyIsFetchedWithoutARestart() throws Exception {
        issuer("keyRefetchSeconds", "1");
        assertEquals(
                AuthResult.success("alice"),
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())));
        RSAKey next = FakeProvider.rsa("k2");
        provider.publish(next);
        provider.published.remove(0);
        assertEquals(
                AuthResult.success("alice"),
                login(
                        "",
                        FakeProvider.sign(
                                next, provider.claims("alice@example.com").build())));
        assertEquals(2, provider.keySetFetches.get());
    }

    @Test
    public void theUserInTheSaslMessageMustBeTheTokensUser() throws Exception {
        issuer();
        String token = token("alice@example.com");
        assertInvalid(login("bob", token), "not for the user the client named");
        assertInvalid(login("bob@example.com", token), "not for the user the client named");
    }

    @Test
    public void theTokensUserMustMapToALocalUser() throws Exception {
        issuer();
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@elsewhere.example").build())),
                "not in a domain of this server");
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("carol@example.com").build())),
                "carol has no account here");
        assertInvalid(login("", FakeProvider.sign(key, provider.claims(null).build())), "missing required claims");
    }

    @Test
    public void withoutAUserDirectoryTokenLoginsAreTemporarilyRefused() throws Exception {
        issuer();
        authenticator.unbindDirectory(users);
        assertUnavailable(
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())),
                "no user directory");
        authenticator.modified(Map.of("requireLocalUser", "false"));
        assertEquals(
                AuthResult.success("carol"),
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("carol@example.com").build())));
    }

    @Test
    public void aRequiredScopeMustBeGranted() throws Exception {
        issuer("requiredScope", "mail");
        assertEquals(
                AuthResult.success("alice"),
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())));
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                key,
                                provider.claims("alice@example.com")
                                        .claim("scope", "openid")
                                        .build())),
                "lacks [mail]");
        assertEquals(
                "Entra ID's scp",
                AuthResult.success("alice"),
                login(
                        "",
                        FakeProvider.sign(
                                key,
                                provider.claims("alice@example.com")
                                        .claim("scope", null)
                                        .claim("scp", "Mail.Read mail")
                                        .build())));
    }

    @Test
    public void unsignedAndSharedSecretTokensAreRefused() throws Exception {
        issuer();
        JWTClaimsSet claims = provider.claims("alice@example.com").build();
        assertInvalid(login("", new PlainJWT(claims).serialize()), "not a signed JWT");
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        hs.sign(new MACSigner(new byte[32]));
        assertInvalid(login("", hs.serialize()), "token refused");
        assertInvalid(login("", "not.a.jwt"), "not a JWT");
    }

    @Test
    public void aProviderThatIsDownIsATemporaryFailure() throws Exception {
        issuer("keyRefetchSeconds", "3000", "keyCacheSeconds", "3600");
        provider.failing = true;
        String token = token("alice@example.com");
        assertUnavailable(login("", token), "unavailable");
        provider.failing = false;
        assertEquals(AuthResult.success("alice"), login("", token));
        provider.close();
        assertEquals("keys already fetched keep working", AuthResult.success("alice"), login("", token));
        RSAKey rotated = FakeProvider.rsa("k-new");
        assertUnavailable(
                login(
                        "",
                        FakeProvider.sign(
                                rotated, provider.claims("alice@example.com").build())),
                "unavailable");
        assertUnavailable(
                "rate-limited, but the provider is still down",
                login(
                        "",
                        FakeProvider.sign(
                                rotated, provider.claims("alice@example.com").build())),
                "unavailable");
    }

    @Test
    public void aKeySetThatCannotBeReachedIsATemporaryFailure() throws Exception {
        issuer("jwksUri", "http://127.0.0.1:1/certs");
        assertUnavailable(
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())),
                "http://127.0.0.1:1/certs cannot be reached: ");
    }

    @Test
    public void discoveryOfAnotherIssuerIsRefused() throws Exception {
        provider.discoveredIssuer = "https://impostor.example/";
        issuer();
        assertUnavailable(
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())),
                "document of issuer https://impostor.example/");
    }

    @Test
    public void noIssuerConfiguredIsATemporaryFailure() throws Exception {
        assertUnavailable(
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())),
                "no OAuth2 issuer");
    }

    @Test
    public void aBadEditKeepsThePreviousSettings() throws Exception {
        issuer();
        Map<String, Object> bad = new HashMap<>(provider.issuerSettings("audience", null));
        issuer.modified(bad);
        assertEquals(
                AuthResult.success("alice"),
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())));
        issuer.modified(provider.issuerSettings("audience", "something-else"));
        assertInvalid(
                login(
                        "",
                        FakeProvider.sign(
                                key, provider.claims("alice@example.com").build())),
                "aud claim rejected");
    }

    @Test
    public void theSameSettingsDeliveredAgainKeepTheFetchedKeys() throws Exception {
        issuer();
        assertEquals(AuthResult.success("alice"), login("", token("alice@example.com")));
        issuer.modified(provider.issuerSettings());
        assertEquals(AuthResult.success("alice"), login("", token("alice@example.com")));
        assertEquals(1, provider.keySetFetches.get());
        issuer.modified(provider.issuerSettings("clockSkewSeconds", "30"));
        assertEquals(AuthResult.success("alice"), login("", token("alice@example.com")));
        assertEquals("changed settings start afresh", 2, provider.keySetFetches.get());
    }

    /** A user directory with a fixed set of users. */
    private static final class Users implements UserDirectory {
        private final Set<String> names;

        Users(Set<String> names) {
            this.names = names;
        }

        @Override
        public List<String> users() {
            return names.stream().sorted().toList();
        }

        @Override
        public boolean exists(String user) {
            return names.contains(user);
        }

        @Override
        public void add(String user, String password) throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public void setPassword(String user, String password) throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public boolean remove(String user) throws IOException {
            throw new IOException("read-only");
        }
    }
}
