package org.mailroom.login.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.PasswordCredentials;
import org.osgi.framework.Constants;

public class LoginComponentTest {

    private final LoginComponent component = new LoginComponent();
    private long nextId = 1;

    private Map<String, Object> props(int ranking, Object... more) {
        Map<String, Object> p = new HashMap<>();
        p.put(Constants.SERVICE_ID, nextId++);
        p.put(Constants.SERVICE_RANKING, ranking);
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    private final List<Map.Entry<Map<String, Object>, Authenticator>> bound = new java.util.ArrayList<>();

    /** Binds as DS does for a field reference: the list sorted as ServiceReference.compareTo, best last. */
    private void bind(Authenticator service, Map<String, Object> properties) {
        bound.add(Map.entry(properties, service));
        bound.sort(java.util.Comparator.<Map.Entry<Map<String, Object>, Authenticator>>comparingInt(
                        e -> (Integer) e.getKey().get(Constants.SERVICE_RANKING))
                .thenComparing(e -> -(Long) e.getKey().get(Constants.SERVICE_ID)));
        component.authenticators = List.copyOf(bound);
    }

    private void unbind(Authenticator service) {
        bound.removeIf(e -> e.getValue() == service);
        component.authenticators = List.copyOf(bound);
    }

    private static Authenticator named(String name) {
        return credentials -> AuthResult.success(name);
    }

    @Test
    public void authenticatorIsChosenByCredentialTypeThenRankingThenServiceId() {
        Authenticator low = named("low");
        Authenticator high = named("high");
        Authenticator other = named("other");
        Authenticator tie = named("tie");
        assertNull(component.authenticator("password"));
        bind(low, props(0, Authenticator.CREDENTIAL_TYPES, "password"));
        bind(other, props(100, Authenticator.CREDENTIAL_TYPES, "token"));
        assertSame(low, component.authenticator("password"));
        assertSame(other, component.authenticator("TOKEN"));
        bind(high, props(10, Authenticator.CREDENTIAL_TYPES, new String[] {"token", "password"}));
        assertSame(high, component.authenticator("password"));
        assertSame(other, component.authenticator("token"));
        bind(tie, props(10, Authenticator.CREDENTIAL_TYPES, List.of("password")));
        assertSame("equal ranking: the older service wins", high, component.authenticator("password"));
        unbind(high);
        assertSame(tie, component.authenticator("password"));
        unbind(tie);
        unbind(low);
        assertNull(component.authenticator("password"));
        assertNull(component.authenticator("unknown"));
    }

    @Test(timeout = 30_000)
    public void badConfigurationKeepsThePreviousSettingsAndTheRecordedFailures() throws Exception {
        component.activate(LoginsTest.config(Map.of("failedLoginDelayMillis", 100, "maxPenaltyMillis", 400)), Map.of());
        try {
            bind(
                    credentials -> AuthResult.invalid(credentials.user(), "wrong"),
                    props(0, Authenticator.CREDENTIAL_TYPES, "password"));
            java.net.InetAddress from = PenaltiesTest.address("192.0.2.44");
            for (int i = 0; i < 2; i++) {
                component
                        .login(new PasswordCredentials("joe", "x"), from, "test")
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
            }
            component.modified(
                    LoginsTest.config(Map.of("failedLoginDelayMillis", 500, "maxPenaltyMillis", 100)),
                    Map.of("felix.fileinstall.filename", "file:/etc/org.mailroom.login.cfg"));
            component.modified(
                    LoginsTest.config(Map.of(
                            "failedLoginDelayMillis", 100, "maxPenaltyMillis", 400, "penalizedIntervalMillis", 10)),
                    Map.of());
            long start = System.nanoTime();
            component
                    .login(new PasswordCredentials("joe", "x"), from, "test")
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // After two failures the next one is answered after the doubled delay: the count survived.
            assertTrue("answered after " + millis + " ms", millis >= 190);
        } finally {
            component.deactivate();
        }
    }

    @Test
    public void aBadValueAtFirstActivationStartsNoLoginService() {
        LoginComponent fresh = new LoginComponent();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> fresh.activate(LoginsTest.config(Map.of("failedLoginDelayMillis", -1)), Map.of()));
        assertTrue(e.getMessage(), e.getMessage().contains("failedLoginDelayMillis"));
    }

    @Test
    public void defaultsAreValid() {
        assertEquals(2, TimeUnit.NANOSECONDS.toSeconds(LoginSettings.DEFAULTS.failedLoginDelayNanos()));
        assertEquals(15, TimeUnit.NANOSECONDS.toSeconds(LoginSettings.DEFAULTS.maxPenaltyNanos()));
    }
}
