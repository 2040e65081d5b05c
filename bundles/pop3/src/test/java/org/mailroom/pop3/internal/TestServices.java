package org.mailroom.pop3.internal;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.store.MailStore;

/** {@link Pop3Services} whose services the test swaps in and out, as bundles coming and going would. */
final class TestServices implements Pop3Services {

    volatile Authenticator authenticator;
    volatile MailStore store;
    volatile boolean loginServiceMissing;
    /** When set, the login service registered instead of {@link #logins}. */
    volatile LoginService loginOverride;

    final List<SaslMechanism> mechanisms = new CopyOnWriteArrayList<>();
    /** Names of mechanisms that went away lately. */
    final List<String> gone = new CopyOnWriteArrayList<>();

    final TestLogins logins = new TestLogins();
    volatile int storeLookups;

    /**
     * The login service as POP3 sees it, answering at once: penalties and delays are the login
     * bundle's business (and tested there). Records each failure it answered.
     */
    final class TestLogins implements LoginService {
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<InetAddress> clients = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<AuthResult> login(Credentials credentials, InetAddress client, String protocol) {
            clients.add(client);
            Authenticator a = authenticator;
            AuthResult result;
            if (a == null) {
                result = AuthResult.unavailable(credentials.user(), "no authenticator");
            } else {
                try {
                    result = a.authenticate(credentials);
                } catch (RuntimeException e) {
                    result = AuthResult.unavailable(credentials.user(), e.toString());
                }
            }
            if (result.status() == AuthResult.Status.INVALID) {
                failures.add(result.reason());
            }
            return CompletableFuture.completedFuture(result);
        }

        @Override
        public CompletionStage<AuthResult> reject(String user, String reason, InetAddress client, String protocol) {
            clients.add(client);
            failures.add(reason);
            return CompletableFuture.completedFuture(AuthResult.invalid(user == null ? "" : user, reason));
        }
    }

    @Override
    public LoginService login() {
        return loginServiceMissing ? null : loginOverride != null ? loginOverride : logins;
    }

    @Override
    public MailStore store() {
        storeLookups++;
        return store;
    }

    @Override
    public List<SaslMechanism> mechanisms() {
        return List.copyOf(mechanisms);
    }

    @Override
    public boolean recentlyGone(String name) {
        return gone.stream().anyMatch(name::equalsIgnoreCase);
    }
}
