package org.mailroom.auth.oauth2.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;

/**
 * JWT access tokens verified against the issuer's key set, which is fetched when first needed,
 * cached, and fetched again (rate-limited) when a token names a key id it does not have: a
 * provider can rotate its keys without Mailroom restarting.
 */
final class JwtIssuer extends ProviderIssuer implements Closeable {

    private DefaultJWTProcessor<SecurityContext> processor;
    private JWKSource<SecurityContext> keys;
    /** Why the last fetch of the key set failed, null if it did not. */
    private volatile IOException lastFetchFailure;

    JwtIssuer(IssuerSettings settings, ProviderHttp http, Clock clock) {
        super(settings, http, clock);
    }

    @Override
    public AuthResult check(BearerCredentials token, JWT jwt) {
        if (!(jwt instanceof SignedJWT signed)) {
            return AuthResult.invalid(
                    token.user(), jwt == null ? "token is not a JWT" : "token refused: not a signed JWT");
        }
        JWTClaimsSet claims;
        try {
            claims = processor().process(signed, null);
        } catch (RateLimitReachedException e) {
            IOException down = lastFetchFailure;
            if (down != null) {
                return AuthResult.unavailable(
                        token.user(), "key set of " + settings.issuer() + " unavailable: " + down.getMessage());
            }
            return AuthResult.invalid(
                    token.user(),
                    "token refused: signed with an unknown key (key set fetched twice in the last "
                            + settings.keyRefetch().toSeconds() + " s)");
        } catch (KeySourceException e) {
            return AuthResult.unavailable(
                    token.user(), "key set of " + settings.issuer() + " unavailable: " + e.getMessage());
        } catch (IOException e) {
            return AuthResult.unavailable(
                    token.user(), "provider " + settings.issuer() + " unavailable: " + e.getMessage());
        } catch (BadJOSEException | JOSEException e) {
            return AuthResult.invalid(token.user(), "token refused: " + e.getMessage());
        } catch (RuntimeException e) {
            // Not a verdict on the token: the key source failed in a way it does not declare.
            return AuthResult.unavailable(
                    token.user(),
                    "verifying with the keys of " + settings.issuer() + " failed: " + ProviderHttp.describe(e));
        }
        return rules.check(claims, token, true);
    }

    private synchronized DefaultJWTProcessor<SecurityContext> processor() throws IOException {
        if (processor == null) {
            URI jwks = discovery.endpoint(settings.jwks(), "jwks_uri");
            ResourceRetriever fetch = url -> {
                try {
                    Resource keySet = http.retrieveResource(url);
                    lastFetchFailure = null;
                    return keySet;
                } catch (IOException e) {
                    lastFetchFailure = e;
                    throw e;
                }
            };
            keys = JWKSourceBuilder.<SecurityContext>create(jwks.toURL(), fetch)
                    .cache(settings.keyCache().toMillis(), settings.timeout().toMillis())
                    .refreshAheadCache(false)
                    .rateLimited(settings.keyRefetch().toMillis())
                    .retrying(false)
                    .outageTolerant(false)
                    .build();
            DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
            p.setJWSKeySelector(new JWSVerificationKeySelector<>(settings.algorithms(), keys));
            // RFC 9068 access tokens say at+jwt; most providers still say JWT, some nothing.
            p.setJWSTypeVerifier(
                    new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
            // The claims are checked by TokenRules, the same way as an introspection answer.
            p.setJWTClaimsSetVerifier(null);
            processor = p;
        }
        return processor;
    }

    @Override
    public synchronized void close() throws IOException {
        if (keys instanceof Closeable closeable) {
            closeable.close();
        }
    }
}
