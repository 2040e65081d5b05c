package org.mailroom.auth.oauth2.internal;

import com.nimbusds.jwt.JWT;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;

/** One configured identity provider, registered as a service of this bundle by {@link IssuerComponent}. */
public interface Issuer {

    IssuerSettings settings();

    /**
     * @param jwt the token parsed as a JWT (not verified), or null if it is not one
     * @return success with the local user; invalid; or unavailable if the provider could not be asked
     */
    AuthResult check(BearerCredentials token, JWT jwt);
}
