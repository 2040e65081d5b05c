package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailroom.testing.Poll;

/**
 * A real OAuth2 / OpenID Connect server, no.nav.security's mock-oauth2-server from Maven Central,
 * as a process of its own on a loopback port (its classpath is copied by the module
 * test-peers/mock-oauth2-server). Its issuer {@code issuer} hands out, for the client
 * credentials grant, the RS256 JWT access token that the requested scope maps to in
 * {@link #CONFIG}; its keys are the fixed ones it ships with.
 */
final class MockOAuth2Server implements AutoCloseable {

    /** Container system property: the folder of the server's jars. */
    static final String CLASSPATH = "mailroom.mockOAuth2.classpath";

    static final String AUDIENCE = "mailroom";

    /** Scope {@code mail}: the demo user; {@code stranger}: a user without an account here. */
    static final String CONFIG = """
            {"interactiveLogin": false, "httpServer": "NettyWrapper",
             "tokenCallbacks": [{"issuerId": "issuer", "tokenExpiry": 3600, "requestMappings": [
               {"requestParam": "scope", "match": "mail", "claims": {"sub": "demo-id",
                 "email": "demo@mailroom.test", "aud": ["mailroom"], "scope": "mail"}},
               {"requestParam": "scope", "match": "stranger", "claims": {"sub": "stranger-id",
                 "email": "stranger@mailroom.test", "aud": ["mailroom"], "scope": "mail"}}]}]}
            """;

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private final Path dir;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Process process;
    private boolean hooked;

    MockOAuth2Server(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    String issuer() {
        return "http://127.0.0.1:" + port + "/issuer";
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts the server and waits until its discovery document answers. */
    void start() throws IOException, InterruptedException {
        String jars = System.getProperty(CLASSPATH);
        if (jars == null || !Files.isDirectory(Path.of(jars))) {
            throw new IllegalStateException(CLASSPATH + " is not a folder: " + jars);
        }
        Files.createDirectories(dir);
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        jars + File.separator + "*",
                        "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("server.log").toFile()));
        Map<String, String> env = builder.environment();
        env.put("SERVER_HOSTNAME", "127.0.0.1");
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("JSON_CONFIG", CONFIG);
        process = builder.start();
        if (!hooked) {
            // Pax Exam calls each test method on its own (@AfterClass runs after every one), so
            // the server lives as long as the container and ends with it.
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> process.destroyForcibly(), "mock-oauth2-server-stop"));
            hooked = true;
        }
        Poll.until("mock-oauth2-server answering on port " + port, Duration.ofSeconds(60), this::answers);
    }

    private boolean answers() {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    "mock-oauth2-server ended with " + process.exitValue() + "; see " + dir.resolve("server.log"));
        }
        try {
            return get(issuer() + "/.well-known/openid-configuration").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An access token of the client credentials grant for the scope (see {@link #CONFIG}). */
    String token(String scope) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(issuer() + "/token"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header(
                                "Authorization",
                                "Basic " + Base64.getEncoder().encodeToString("mailroom-test:secret".getBytes(UTF_8)))
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + scope))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher token = ACCESS_TOKEN.matcher(response.body());
        if (response.statusCode() != 200 || !token.find()) {
            throw new IOException("token endpoint answered " + response.statusCode() + ": " + response.body());
        }
        return token.group(1);
    }

    /** Stops the server (its port refuses connections afterwards). */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
