package org.mailroom.auth.oauth2.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;

/**
 * Tokens of any form asked about at the issuer's RFC 7662 introspection endpoint, as a client of
 * the issuer. An active answer is reused for the cache time, never past the token's {@code exp};
 * an inactive one (expired, revoked) is not kept.
 */
final class IntrospectionIssuer extends ProviderIssuer {

    private static final int CACHE_ENTRIES = 10_000;

    private record Answer(JWTClaimsSet claims, Instant until) {}

    private final Map<String, Answer> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    IntrospectionIssuer(IssuerSettings settings, ProviderHttp http, Clock clock) {
        super(settings, http, clock);
    }

    @Override
    public AuthResult check(BearerCredentials token, JWT jwt) {
        String key = digest(token.token());
        Answer answer;
        synchronized (cache) {
            answer = cache.get(key);
        }
        Instant now = clock.instant();
        if (answer == null || !now.isBefore(answer.until())) {
            Map<String, Object> response;
            try {
                response = introspect(token.token());
            } catch (IOException e) {
                return AuthResult.unavailable(
                        token.user(), "introspection at " + settings.issuer() + " unavailable: " + e.getMessage());
            }
            if (!Boolean.TRUE.equals(response.get("active"))) {
                synchronized (cache) {
                    cache.remove(key);
                }
                return AuthResult.invalid(
                        token.user(),
                        "token refused: not active at " + settings.issuer() + " (expired, revoked or never issued)");
            }
            try {
                answer = new Answer(JWTClaimsSet.parse(response), null);
            } catch (ParseException e) {
                return AuthResult.unavailable(
                        token.user(),
                        "introspection answer of " + settings.issuer() + " has a malformed claim: " + e.getMessage());
            }
            Instant until = now.plus(settings.introspectionCache());
            if (answer.claims().getExpirationTime() != null
                    && answer.claims().getExpirationTime().toInstant().isBefore(until)) {
                until = answer.claims().getExpirationTime().toInstant();
            }
            answer = new Answer(answer.claims(), until);
            if (now.isBefore(until)) {
                synchronized (cache) {
                    cache.put(key, answer);
                }
            }
        }
        return rules.check(answer.claims(), token, false);
    }

    private Map<String, Object> introspect(String token) throws IOException {
        URI endpoint = discovery.endpoint(settings.introspection(), "introspection_endpoint");
        StringBuilder form = new StringBuilder("token=").append(form(token)).append("&token_type_hint=access_token");
        Map<String, String> headers = Map.of();
        if (settings.clientAuthentication() == IssuerSettings.ClientAuthentication.BASIC) {
            // RFC 6749 2.3.1: id and secret are form-encoded before they are joined.
            String pair = form(settings.clientId()) + ":" + form(settings.clientSecret());
            headers = Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(UTF_8)));
        } else {
            form.append("&client_id=")
                    .append(form(settings.clientId()))
                    .append("&client_secret=")
                    .append(form(settings.clientSecret()));
        }
        String body = http.postForm(endpoint, form.toString(), headers);
        try {
            return JSONObjectUtils.parse(body);
        } catch (ParseException e) {
            throw new IOException(endpoint + " answered something else than a JSON object");
        }
    }

    private static String form(String value) {
        return URLEncoder.encode(value, UTF_8);
    }

    /** The cache is keyed by a digest, so that it holds no token. */
    private static String digest(String token) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(token.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
