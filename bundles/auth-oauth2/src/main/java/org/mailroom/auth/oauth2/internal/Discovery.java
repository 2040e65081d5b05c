package org.mailroom.auth.oauth2.internal;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * An issuer's OpenID Connect discovery document ({@code /.well-known/openid-configuration}),
 * fetched when first needed and kept. While it cannot be had, it is asked for at most twice per
 * key refetch time (as Nimbus limits key set fetches), so logins do not hammer a provider that is down.
 */
final class Discovery {

    private final IssuerSettings settings;
    private final ProviderHttp http;
    private final Clock clock;
    private Map<String, Object> document;
    private Instant windowStart = Instant.MIN;
    private int attempts;
    private IOException failure;

    Discovery(IssuerSettings settings, ProviderHttp http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    /**
     * @param configured the endpoint from the issuer's file, used as it is if set
     * @param key the document's member that names it, e.g. {@code jwks_uri}
     * @throws IOException if the document cannot be had or does not name the endpoint
     */
    synchronized URI endpoint(URI configured, String key) throws IOException {
        if (configured != null) {
            return configured;
        }
        Map<String, Object> doc = document();
        String value;
        try {
            value = JSONObjectUtils.getString(doc, key);
        } catch (ParseException e) {
            value = null;
        }
        if (value == null) {
            throw new IOException(settings.discovery() + " does not name a " + key);
        }
        try {
            return IssuerSettings.checkedUri(key, value);
        } catch (IllegalArgumentException e) {
            throw new IOException(settings.discovery() + ": " + e.getMessage());
        }
    }

    private Map<String, Object> document() throws IOException {
        if (document != null) {
            return document;
        }
        Instant now = clock.instant();
        if (!now.isBefore(windowStart.plus(settings.keyRefetch()))) {
            windowStart = now;
            attempts = 0;
        }
        if (attempts >= 2) {
            throw failure;
        }
        attempts++;
        try {
            Map<String, Object> doc = JSONObjectUtils.parse(http.get(settings.discovery()));
            Object issuer = doc.get("issuer");
            if (!settings.issuer().equals(issuer)) {
                throw new IOException(
                        settings.discovery() + " is the document of issuer " + issuer + ", not " + settings.issuer());
            }
            document = doc;
            return doc;
        } catch (IOException | ParseException e) {
            failure = e instanceof IOException io
                    ? io
                    : new IOException(settings.discovery() + " is not a JSON object: " + e.getMessage());
            throw failure;
        }
    }
}
