package org.mailroom.auth.oauth2.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * HTTP to one identity provider with the JDK's client: bounded time and size, a 200 answer or an
 * IOException. Its threads end with {@link #close}.
 */
final class ProviderHttp implements ResourceRetriever, AutoCloseable {

    /** Larger answers (a JWKS, a discovery document, an introspection result) are refused. */
    static final int MAX_BODY = 512 * 1024;

    private final ExecutorService threads;
    private final HttpClient client;
    private final Duration timeout;

    ProviderHttp(Duration timeout, SSLContext tls) {
        this.timeout = timeout;
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "mailroom-oauth2-http");
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(threads)
                .sslContext(tls)
                .build();
    }

    String get(URI uri) throws IOException {
        return send(HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET()
                .build());
    }

    /** POSTs an {@code application/x-www-form-urlencoded} body. */
    String postForm(URI uri, String form, Map<String, String> headers) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form, UTF_8));
        headers.forEach(request::header);
        return send(request.build());
    }

    @Override
    public Resource retrieveResource(URL url) throws IOException {
        try {
            return new Resource(get(url.toURI()), "application/json");
        } catch (URISyntaxException e) {
            throw new IOException("bad URL " + url, e);
        }
    }

    /** The whole exchange, body included, within the timeout (the client's own covers only the headers). */
    private String send(HttpRequest request) throws IOException {
        Future<String> exchange;
        try {
            exchange = threads.submit(() -> read(request));
        } catch (RejectedExecutionException e) {
            // A check still running on settings just replaced, or on a bundle stopping: the login
            // service asks again, and then the issuer's current settings answer.
            throw new IOException("the connection to " + request.uri() + " was closed (settings replaced or stopping)");
        }
        try {
            return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BadAnswer answer) {
                throw answer;
            }
            throw new IOException(request.uri() + " cannot be reached: " + describe(cause), cause);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new IOException(request.uri() + " did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + request.uri(), e);
        }
    }

    private String read(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(MAX_BODY + 1);
            if (response.statusCode() != 200) {
                throw new BadAnswer(request.uri() + " answered HTTP " + response.statusCode());
            }
            if (bytes.length > MAX_BODY) {
                throw new BadAnswer(request.uri() + " answered more than " + MAX_BODY + " octets");
            }
            return new String(bytes, UTF_8);
        }
    }

    /** The provider answered, but not with what was asked for. */
    private static final class BadAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        BadAnswer(String message) {
            super(message);
        }
    }

    /** The innermost cause, named even when it has no message (the JDK's client often gives none). */
    static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String name = cause.getClass().getSimpleName();
        return cause.getMessage() == null ? name : name + ": " + cause.getMessage();
    }

    /** Lets requests under way finish (within the timeout), then ends the threads. */
    @Override
    public void close() {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
