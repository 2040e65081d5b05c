package org.mailroom.auth.oauth2.internal;

import java.util.Objects;
import org.mailroom.api.auth.Credentials;

/**
 * An OAuth 2.0 bearer token as a SASL client sent it (OAUTHBEARER or XOAUTH2).
 *
 * @param user the authorization identity the client named ({@code a=} or {@code user=}), empty
 *     if none: the token's user must be this one
 * @param token the access token
 */
record BearerToken(String user, String token) implements Credentials {

    static final String TYPE = "oauth2-bearer";

    BearerToken {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(token, "token");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "BearerToken[user=" + user + "]";
    }
}
