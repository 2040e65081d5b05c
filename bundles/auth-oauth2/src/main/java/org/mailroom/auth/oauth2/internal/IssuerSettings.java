package org.mailroom.auth.oauth2.internal;

import static org.mailroom.filter.daemon.CfgValues.choice;
import static org.mailroom.filter.daemon.CfgValues.number;
import static org.mailroom.filter.daemon.CfgValues.string;

import com.nimbusds.jose.JWSAlgorithm;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mailroom.filter.daemon.CfgValues;

/**
 * One identity provider, from {@code etc/org.mailroom.auth.oauth2.issuer-NAME.cfg}, read from the
 * properties as written so that a bad value is reported with its key.
 *
 * @param issuer the {@code iss} its tokens carry
 * @param discovery its OpenID Connect discovery document, for the endpoints not configured
 * @param jwks its key set (null: from discovery), in {@link Mode#JWT}
 * @param introspection its RFC 7662 endpoint (null: from discovery), in {@link Mode#INTROSPECTION}
 * @param audiences a token must name one of these in {@code aud} (empty: not checked)
 * @param requiredScopes a token must have all of these
 * @param clientId the client Mailroom is at the introspection endpoint
 * @param introspectionCache how long an introspection answer is reused, never past the token's {@code exp}
 * @param keyCache how long the key set is used before it is fetched again
 * @param keyRefetch the least time between two fetches for an unknown key id
 * @param caFile PEM certificates to trust for HTTPS to the provider (null: the JDK's)
 */
record IssuerSettings(
        String issuer,
        Mode mode,
        URI discovery,
        URI jwks,
        URI introspection,
        Set<JWSAlgorithm> algorithms,
        Set<String> audiences,
        Duration clockSkew,
        String userClaim,
        UserMapping.Kind userMapping,
        Set<String> domains,
        Path userMappingFile,
        Set<String> requiredScopes,
        String clientId,
        String clientSecret,
        ClientAuthentication clientAuthentication,
        Duration introspectionCache,
        Duration keyCache,
        Duration keyRefetch,
        Duration timeout,
        Path caFile) {

    enum Mode {
        /** JWT access tokens, verified against the key set. */
        JWT,
        /** Any token, asked about at the RFC 7662 endpoint. */
        INTROSPECTION
    }

    /** RFC 6749 2.3.1: the client secret in an HTTP Basic header, or in the form. */
    enum ClientAuthentication {
        BASIC,
        POST
    }

    static final String ALGORITHMS = "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512";

    @Override
    public String toString() {
        return "issuer " + issuer + " (" + CfgValues.name(mode) + ", user from " + userClaim + ")";
    }

    static IssuerSettings of(Map<String, ?> properties) {
        String issuer = string(properties, "issuer", "");
        if (issuer.isEmpty()) {
            throw new IllegalArgumentException("key issuer: missing (the iss of the provider's tokens)");
        }
        Mode mode = choice(properties, "mode", Mode.JWT);
        URI discovery = uri(
                properties,
                "discoveryUri",
                (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                        + "/.well-known/openid-configuration");
        URI jwks = uri(properties, "jwksUri", null);
        URI introspection = uri(properties, "introspectionUri", null);
        Set<String> audiences = list(properties, "audience");
        if (mode == Mode.JWT && audiences.isEmpty()) {
            throw new IllegalArgumentException(
                    "key audience: missing (the aud the provider puts in tokens for Mailroom, e.g. its client id)");
        }
        String userClaim = string(properties, "userClaim", "email");
        if (userClaim.isEmpty()) {
            throw new IllegalArgumentException("key userClaim: empty");
        }
        UserMapping.Kind mapping = choice(properties, "userMapping", UserMapping.Kind.AS_IS);
        Set<String> domains = new LinkedHashSet<>();
        for (String domain : list(properties, "domains")) {
            domains.add(domain.toLowerCase(Locale.ROOT));
        }
        if (mapping == UserMapping.Kind.STRIP_DOMAIN && domains.isEmpty()) {
            throw new IllegalArgumentException(
                    "key domains: missing (strip-domain maps only users of the domains listed here)");
        }
        Path mappingFile = path(properties, "userMappingFile");
        if (mapping == UserMapping.Kind.FILE && mappingFile == null) {
            throw new IllegalArgumentException("key userMappingFile: missing (userMapping is file)");
        }
        String clientId = string(properties, "clientId", "");
        String clientSecret = string(properties, "clientSecret", "");
        if (mode == Mode.INTROSPECTION && (clientId.isEmpty() || clientSecret.isEmpty())) {
            throw new IllegalArgumentException("key " + (clientId.isEmpty() ? "clientId" : "clientSecret")
                    + ": missing (introspection needs the client Mailroom is at the provider)");
        }
        Duration keyCache = Duration.ofSeconds(number(properties, "keyCacheSeconds", 300, 10, 86400));
        Duration keyRefetch = Duration.ofSeconds(number(properties, "keyRefetchSeconds", 30, 1, 3600));
        if (keyRefetch.compareTo(keyCache) >= 0) {
            throw new IllegalArgumentException("key keyRefetchSeconds: " + keyRefetch.toSeconds()
                    + " must be less than keyCacheSeconds (" + keyCache.toSeconds() + ")");
        }
        return new IssuerSettings(
                issuer,
                mode,
                discovery,
                jwks,
                introspection,
                algorithms(string(properties, "algorithms", ALGORITHMS)),
                Set.copyOf(audiences),
                Duration.ofSeconds(number(properties, "clockSkewSeconds", 60, 0, 600)),
                userClaim,
                mapping,
                Set.copyOf(domains),
                mappingFile,
                Set.copyOf(scopes(string(properties, "requiredScope", ""))),
                clientId,
                clientSecret,
                choice(properties, "clientAuthentication", ClientAuthentication.BASIC),
                Duration.ofSeconds(number(properties, "introspectionCacheSeconds", 60, 0, 3600)),
                keyCache,
                keyRefetch,
                Duration.ofSeconds(number(properties, "timeoutSeconds", 5, 1, 60)),
                path(properties, "caFile"));
    }

    private static Set<JWSAlgorithm> algorithms(String text) {
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (String name : text.split(",")) {
            String n = name.strip();
            if (n.isEmpty()) {
                continue;
            }
            if (n.equalsIgnoreCase("EdDSA") || n.equalsIgnoreCase("Ed25519")) {
                throw new IllegalArgumentException("key algorithms: " + n
                        + " is not supported (Nimbus JOSE+JWT verifies it only with Google Tink, not installed)");
            }
            JWSAlgorithm algorithm = JWSAlgorithm.parse(n.toUpperCase(Locale.ROOT));
            if (!JWSAlgorithm.Family.RSA.contains(algorithm) && !JWSAlgorithm.Family.EC.contains(algorithm)) {
                throw new IllegalArgumentException("key algorithms: '" + n + "' is not one of " + ALGORITHMS
                        + (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm) ? " (shared-secret HS* is refused)" : ""));
            }
            algorithms.add(algorithm);
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("key algorithms: empty");
        }
        return Set.copyOf(algorithms);
    }

    /** Scopes as a token lists them: separated by spaces (or, in the file, commas). */
    static Set<String> scopes(String text) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : text.split("[\\s,]+")) {
            if (!scope.isEmpty()) {
                scopes.add(scope);
            }
        }
        return scopes;
    }

    private static Set<String> list(Map<String, ?> properties, String key) {
        Set<String> values = new LinkedHashSet<>();
        for (String value : string(properties, key, "").split(",")) {
            if (!value.isBlank()) {
                values.add(value.strip());
            }
        }
        return values;
    }

    private static Path path(Map<String, ?> properties, String key) {
        String text = string(properties, key, "");
        if (text.isEmpty()) {
            return null;
        }
        return Path.of(System.getProperty("karaf.base", ".")).resolve(text);
    }

    private static URI uri(Map<String, ?> properties, String key, String fallback) {
        String text = string(properties, key, fallback == null ? "" : fallback);
        return text.isEmpty() ? null : checkedUri(key, text);
    }

    /** An https URL, or http to a loopback address (a provider on the same host). */
    static URI checkedUri(String key, String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("key " + key + ": '" + text + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("key " + key + ": '" + text + "' is not an https URL");
        }
        if (scheme.equals("http") && !loopback(uri.getHost())) {
            throw new IllegalArgumentException(
                    "key " + key + ": '" + text + "' must be https (plain http only to a loopback address)");
        }
        return uri;
    }

    private static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:.]+]")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
