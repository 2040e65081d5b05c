package org.mailroom.api.auth;

import java.util.Objects;

/**
 * An OAuth 2.0 bearer token (RFC 6750), as sent by SASL OAUTHBEARER (RFC 7628) or XOAUTH2. An
 * API type, like {@link PasswordCredentials}, so that the credentials a mechanism decoded still
 * mean the same to an authenticator of another bundle revision (one being updated) or another
 * module.
 *
 * @param user the authorization identity the client named ({@code a=} or {@code user=}), empty
 *     if it named none: the token's user must then be this one
 * @param token the access token; never logged
 * @since 1.3
 */
public record BearerCredentials(String user, String token) implements Credentials {

    public static final String TYPE = "oauth2-bearer";

    public BearerCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(token, "token");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "BearerCredentials[user=" + user + "]";
    }
}
