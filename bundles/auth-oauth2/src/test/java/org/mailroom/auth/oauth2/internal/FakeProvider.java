package org.mailroom.auth.oauth2.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An identity provider on loopback for the tests: discovery, a key set the test changes, and an
 * RFC 7662 introspection endpoint with a token table the test fills and revokes; it mints JWTs
 * signed with its keys (or with keys it does not publish).
 */
final class FakeProvider implements AutoCloseable {

    static final String CLIENT_ID = "mailroom";
    static final String CLIENT_SECRET = "s3cret:&=";
    static final String AUDIENCE = "mailroom-api";

    private final HttpServer server;
    final String issuer;
    final List<JWK> published = new CopyOnWriteArrayList<>();
    final Map<String, Map<String, Object>> introspectable = new ConcurrentHashMap<>();
    final AtomicInteger keySetFetches = new AtomicInteger();
    final AtomicInteger discoveryFetches = new AtomicInteger();
    final AtomicInteger introspections = new AtomicInteger();
    /** When set, every endpoint answers 503. */
    volatile boolean failing;
    /** The issuer the discovery document names. */
    volatile String discoveredIssuer;

    FakeProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/test";
        discoveredIssuer = issuer;
        server.createContext("/realms/test/.well-known/openid-configuration", e -> {
            discoveryFetches.incrementAndGet();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("issuer", discoveredIssuer);
            doc.put("jwks_uri", issuer + "/certs");
            doc.put("introspection_endpoint", issuer + "/introspect");
            answer(e, JSONObjectUtils.toJSONString(doc));
        });
        server.createContext("/realms/test/certs", e -> {
            keySetFetches.incrementAndGet();
            answer(e, new JWKSet(new ArrayList<>(published)).toString(true));
        });
        server.createContext("/realms/test/introspect", this::introspect);
        server.start();
    }

    static RSAKey rsa(String kid) throws JOSEException {
        return new RSAKeyGenerator(2048).keyID(kid).generate();
    }

    static ECKey ec(String kid, Curve curve) throws JOSEException {
        return new ECKeyGenerator(curve).keyID(kid).generate();
    }

    /** Claims of a valid token for {@code email}: this issuer, the audience, an hour to live. */
    JWTClaimsSet.Builder claims(String email) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(AUDIENCE)
                .subject("id-" + email)
                .claim("email", email)
                .claim("scope", "openid email mail")
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(3600)));
    }

    static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims) throws JOSEException {
        JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(algorithm)
                        .keyID(key.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    static String sign(JWK key, JWTClaimsSet claims) throws JOSEException {
        return sign(key, key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256, claims);
    }

    /** Publishes the public half of a key. */
    void publish(JWK key) {
        published.add(key.toPublicJWK());
    }

    /** Makes an opaque token known to introspection, active, with these claims. */
    String opaque(String email, Consumer<Map<String, Object>> changes) {
        String token = "opaque-" + Base64.getUrlEncoder().withoutPadding().encodeToString(email.getBytes(UTF_8)) + "-"
                + introspectable.size();
        Map<String, Object> answer = new HashMap<>();
        answer.put("active", true);
        answer.put("iss", issuer);
        answer.put("aud", AUDIENCE);
        answer.put("email", email);
        answer.put("scope", "openid email mail");
        answer.put("exp", Instant.now().plusSeconds(3600).getEpochSecond());
        changes.accept(answer);
        introspectable.put(token, answer);
        return token;
    }

    void revoke(String token) {
        introspectable.remove(token);
    }

    Map<String, Object> issuerSettings(String... pairs) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("issuer", issuer);
        settings.put("audience", AUDIENCE);
        settings.put("userMapping", "strip-domain");
        settings.put("domains", "example.com");
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                settings.remove(pairs[i]);
            } else {
                settings.put(pairs[i], pairs[i + 1]);
            }
        }
        return settings;
    }

    private void introspect(HttpExchange e) throws IOException {
        introspections.incrementAndGet();
        String expected = "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                ("mailroom:" + java.net.URLEncoder.encode(CLIENT_SECRET, UTF_8)).getBytes(UTF_8));
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(e.getRequestBody().readAllBytes(), UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), UTF_8), URLDecoder.decode(pair.substring(eq + 1), UTF_8));
        }
        boolean basic = expected.equals(e.getRequestHeaders().getFirst("Authorization"));
        boolean post = CLIENT_ID.equals(form.get("client_id")) && CLIENT_SECRET.equals(form.get("client_secret"));
        if (!basic && !post) {
            e.sendResponseHeaders(401, -1);
            e.close();
            return;
        }
        Map<String, Object> answer = introspectable.get(form.get("token"));
        answer(e, JSONObjectUtils.toJSONString(answer != null ? answer : Map.of("active", false)));
    }

    private void answer(HttpExchange e, String json) throws IOException {
        if (failing) {
            e.sendResponseHeaders(503, -1);
            e.close();
            return;
        }
        byte[] body = json.getBytes(UTF_8);
        e.getResponseHeaders().set("Content-Type", "application/json");
        e.sendResponseHeaders(200, body.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops answering at all: connections are refused. */
    @Override
    public void close() {
        server.stop(0);
    }
}
