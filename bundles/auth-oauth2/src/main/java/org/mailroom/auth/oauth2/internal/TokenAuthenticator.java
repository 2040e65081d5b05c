package org.mailroom.auth.oauth2.internal;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;

/**
 * Which issuer a bearer token goes to, and whether its user may log in. A JWT goes to the issuer
 * its (not yet verified) {@code iss} names; any other token to the introspection issuers, in the
 * order of their {@code issuer}, until one knows it.
 */
final class TokenAuthenticator {

    private final Supplier<List<Issuer>> issuers;
    private final Function<String, Boolean> localUser;

    /**
     * @param localUser whether a user has an account here (a token for anyone else is refused),
     *     or null if that cannot be told now (no user directory: its bundle is being replaced)
     */
    TokenAuthenticator(Supplier<List<Issuer>> issuers, Function<String, Boolean> localUser) {
        this.issuers = issuers;
        this.localUser = localUser;
    }

    AuthResult authenticate(BearerCredentials token) {
        List<Issuer> all = new ArrayList<>(issuers.get());
        all.sort(Comparator.comparing(issuer -> issuer.settings().issuer()));
        if (all.isEmpty()) {
            return AuthResult.unavailable(token.user(), "no OAuth2 issuer is configured");
        }
        JWT jwt = jwt(token.token());
        AuthResult result = jwt != null ? byIssuer(token, jwt, all) : byIntrospection(token, all);
        if (!result.succeeded()) {
            return result;
        }
        Boolean known = localUser.apply(result.user());
        if (known == null) {
            return AuthResult.unavailable(
                    token.user(), "no user directory to look token user " + result.user() + " up in");
        }
        return known
                ? result
                : AuthResult.invalid(token.user(), "token user " + result.user() + " has no account here");
    }

    private static AuthResult byIssuer(BearerCredentials token, JWT jwt, List<Issuer> all) {
        String iss;
        try {
            iss = jwt.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            return AuthResult.invalid(token.user(), "token refused: malformed JWT claims");
        }
        for (Issuer issuer : all) {
            if (issuer.settings().issuer().equals(iss)) {
                return issuer.check(token, jwt);
            }
        }
        return AuthResult.invalid(token.user(), "token refused: issuer " + iss + " is not configured");
    }

    private static AuthResult byIntrospection(BearerCredentials token, List<Issuer> all) {
        AuthResult answer = null;
        for (Issuer issuer : all) {
            if (issuer.settings().mode() != IssuerSettings.Mode.INTROSPECTION) {
                continue;
            }
            AuthResult result = issuer.check(token, null);
            if (result.succeeded()) {
                return result;
            }
            if (answer == null || result.status() == AuthResult.Status.UNAVAILABLE) {
                answer = result;
            }
        }
        return answer != null
                ? answer
                : AuthResult.invalid(
                        token.user(), "token refused: not a JWT, and no issuer is set up for introspection");
    }

    private static JWT jwt(String token) {
        if (token.chars().filter(c -> c == '.').count() < 2) {
            return null;
        }
        try {
            return JWTParser.parse(token);
        } catch (ParseException e) {
            return null;
        }
    }
}
