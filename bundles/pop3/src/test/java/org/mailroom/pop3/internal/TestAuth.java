package org.mailroom.pop3.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.sasl.SaslStep;

/** Plain Java implementations of the auth and SASL contracts for session tests. */
final class TestAuth {

    private TestAuth() {}

    /** Checks passwords against a table; records every attempt; can be switched to UNAVAILABLE. */
    static final class PasswordTable implements Authenticator {
        final Map<String, String> passwords = new ConcurrentHashMap<>();
        final List<String> attempts = new ArrayList<>();
        volatile boolean unavailable;

        PasswordTable with(String user, String password) {
            passwords.put(user, password);
            return this;
        }

        @Override
        public synchronized AuthResult authenticate(Credentials credentials) {
            attempts.add(credentials.user());
            if (unavailable) {
                return AuthResult.unavailable(credentials.user(), "backend down");
            }
            if (credentials instanceof PasswordCredentials p && p.password().equals(passwords.get(p.user()))) {
                return AuthResult.success(p.user());
            }
            return AuthResult.invalid(credentials.user(), "bad password");
        }
    }

    /** RFC 4616: message = [authzid] NUL authcid NUL passwd. An empty initial response asks for a challenge. */
    static final class Plain implements SaslMechanism {
        @Override
        public String name() {
            return "PLAIN";
        }

        @Override
        public boolean exposesSecret() {
            return true;
        }

        @Override
        public SaslExchange start() {
            return new SaslExchange() {
                private boolean challenged;

                @Override
                public SaslStep evaluate(byte[] response) throws SaslException {
                    if (response.length == 0 && !challenged) {
                        challenged = true;
                        return SaslStep.challenge(new byte[0]);
                    }
                    String message = new String(response, StandardCharsets.UTF_8);
                    String[] parts = message.split("\0", -1);
                    if (parts.length != 3) {
                        throw new SaslException("PLAIN needs authzid NUL authcid NUL password");
                    }
                    if (!parts[0].isEmpty() && !parts[0].equals(parts[1])) {
                        throw new SaslException("authorization identity differs from authentication identity");
                    }
                    return SaslStep.done(new PasswordCredentials(parts[1], parts[2]));
                }
            };
        }
    }

    /** The LOGIN mechanism: "Username:" and "Password:" challenges. */
    static final class Login implements SaslMechanism {
        @Override
        public String name() {
            return "LOGIN";
        }

        @Override
        public boolean exposesSecret() {
            return true;
        }

        @Override
        public SaslExchange start() {
            return new SaslExchange() {
                private String user;
                private boolean asked;

                @Override
                public SaslStep evaluate(byte[] response) {
                    if (user == null) {
                        if (!asked && response.length == 0) {
                            asked = true;
                            return SaslStep.challenge("Username:".getBytes(StandardCharsets.US_ASCII));
                        }
                        user = new String(response, StandardCharsets.UTF_8);
                        return SaslStep.challenge("Password:".getBytes(StandardCharsets.US_ASCII));
                    }
                    return SaslStep.done(new PasswordCredentials(user, new String(response, StandardCharsets.UTF_8)));
                }
            };
        }
    }

    /**
     * A mechanism that reveals no secret, shaped like OAUTHBEARER: an empty response gets an empty
     * challenge, and a refused token the error challenge {@link #FAILURE}.
     */
    static final class Token implements SaslMechanism {
        static final String FAILURE = "{\"status\":\"invalid_token\"}";

        @Override
        public String name() {
            return "X-TOKEN";
        }

        @Override
        public boolean exposesSecret() {
            return false;
        }

        @Override
        public SaslExchange start() {
            return new SaslExchange() {
                @Override
                public SaslStep evaluate(byte[] response) {
                    if (response.length == 0) {
                        return SaslStep.challenge(new byte[0]);
                    }
                    return SaslStep.done(
                            new PasswordCredentials("token-user", new String(response, StandardCharsets.UTF_8)));
                }

                @Override
                public byte[] failureChallenge(AuthResult result) {
                    return FAILURE.getBytes(StandardCharsets.UTF_8);
                }
            };
        }
    }
}
