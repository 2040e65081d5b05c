package org.mailroom.auth.oauth2.internal;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;

/**
 * What an issuer's token must say, whether Mailroom verified its signature (a JWT) or the issuer
 * vouched for it (introspection): {@code iss}, {@code aud}, {@code exp}, {@code nbf} and
 * {@code iat} within the clock skew (Nimbus's claims verifier), the required scopes, and a user
 * claim that maps to a local user, who must be the user the client named, if it named one.
 */
final class TokenRules {

    private final IssuerSettings settings;
    private final Clock clock;
    private final UserMapping mapping;

    TokenRules(IssuerSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.mapping = new UserMapping(settings.userMapping(), settings.domains(), settings.userMappingFile());
    }

    /**
     * @param signed true for a JWT Mailroom verified: it must have {@code iss} and {@code exp};
     *     an introspection answer is checked for the claims it has
     * @return success with the local user, or invalid with the reason
     */
    AuthResult check(JWTClaimsSet claims, BearerCredentials credentials, boolean signed) {
        String claimed = credentials.user();
        Set<String> required = new HashSet<>(List.of(settings.userClaim()));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (signed || claims.getIssuer() != null) {
            exact.issuer(settings.issuer());
        }
        if (signed) {
            required.add("exp");
        }
        Verifier verifier = new Verifier(
                settings.audiences().isEmpty() ? null : settings.audiences(), exact.build(), required, clock);
        verifier.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        try {
            verifier.verify(claims, null);
        } catch (BadJWTException e) {
            return AuthResult.invalid(claimed, "token refused: " + e.getMessage());
        }
        Date issuedAt = claims.getIssueTime();
        if (issuedAt != null && issuedAt.toInstant().isAfter(clock.instant().plus(settings.clockSkew()))) {
            return AuthResult.invalid(
                    claimed, "token refused: issued in the future (iat " + issuedAt.toInstant() + ")");
        }
        Set<String> scopes = scopes(claims);
        if (!scopes.containsAll(settings.requiredScopes())) {
            return AuthResult.invalid(
                    claimed, "token refused: scope " + scopes + " lacks " + settings.requiredScopes());
        }
        if (!(claims.getClaim(settings.userClaim()) instanceof String named) || named.isBlank()) {
            return AuthResult.invalid(claimed, "token refused: claim " + settings.userClaim() + " is not a name");
        }
        UserMapping.Mapped local = mapping.map(named);
        if (local.user() == null) {
            return AuthResult.invalid(claimed, "token refused: " + local.problem());
        }
        if (!claimed.isEmpty() && !claimed.equalsIgnoreCase(local.user()) && !claimed.equalsIgnoreCase(named)) {
            return AuthResult.invalid(
                    claimed, "token is for " + named + " (" + local.user() + "), not for the user the client named");
        }
        return AuthResult.success(local.user());
    }

    /** {@code scope} (RFC 8693, space-separated) or Entra ID's {@code scp}, as a string or a list. */
    private static Set<String> scopes(JWTClaimsSet claims) {
        Set<String> scopes = new HashSet<>();
        for (String name : List.of("scope", "scp")) {
            Object value = claims.getClaim(name);
            if (value instanceof String text) {
                scopes.addAll(IssuerSettings.scopes(text));
            } else if (value instanceof Collection<?> list) {
                list.forEach(scope -> scopes.add(String.valueOf(scope)));
            }
        }
        return scopes;
    }

    /** Nimbus's claims verifier on the clock of the component (a test's clock in tests). */
    private static final class Verifier extends DefaultJWTClaimsVerifier<com.nimbusds.jose.proc.SecurityContext> {
        private final Clock clock;

        Verifier(Set<String> audiences, JWTClaimsSet exact, Set<String> required, Clock clock) {
            super(audiences, exact, required, null);
            this.clock = clock;
        }

        @Override
        protected Date currentTime() {
            return Date.from(Instant.now(clock));
        }
    }
}
