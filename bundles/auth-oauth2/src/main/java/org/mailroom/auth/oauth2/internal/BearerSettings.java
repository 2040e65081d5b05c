package org.mailroom.auth.oauth2.internal;

import static org.mailroom.filter.daemon.CfgValues.string;

import java.util.Locale;
import java.util.Map;

/**
 * The settings of the mechanisms and the authenticator, from {@code etc/org.mailroom.auth.oauth2.cfg}.
 *
 * @param scope the scope the error challenge tells a refused client to ask for (empty: not said)
 * @param openidConfiguration the discovery document the OAUTHBEARER error challenge names (empty: not named)
 * @param requireLocalUser a token's user must have an account in a user directory (the password
 *     file); false lets any user the issuer vouches for log in to a mailbox of that name
 */
record BearerSettings(String scope, String openidConfiguration, boolean requireLocalUser) {

    static final String PID = "org.mailroom.auth.oauth2";

    static final BearerSettings DEFAULTS = of(Map.of());

    static BearerSettings of(Map<String, ?> properties) {
        String openid = string(properties, "openidConfiguration", "");
        if (!openid.isEmpty()) {
            IssuerSettings.checkedUri("openidConfiguration", openid);
        }
        return new BearerSettings(string(properties, "scope", ""), openid, bool(properties, "requireLocalUser", true));
    }

    private static boolean bool(Map<String, ?> properties, String key, boolean fallback) {
        String text = string(properties, key, String.valueOf(fallback)).toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new IllegalArgumentException("key " + key + ": must be true or false, not '" + text + "'");
        };
    }
}
