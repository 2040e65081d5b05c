package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mailroom.api.address.Addresses;
import org.mailroom.api.address.Resolution;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.sasl.SaslStep;
import org.mailroom.api.spool.QueuedMessage;
import org.mailroom.api.spool.Spool;
import org.mailroom.api.spool.SpoolRecipient;
import org.mailroom.api.spool.SpoolWriter;

/**
 * Services for session tests: a spool in memory, addresses of the local domain example.com
 * (bob, carol, and sales reaching both), alice/secret as the only login, and SASL PLAIN.
 */
final class TestServices implements SmtpServices {

    record Queued(String id, String sender, List<SpoolRecipient> recipients, String content) {}

    /** What delivery before the reply says per user (the content filters' verdicts); none: not attempted. */
    final Map<String, Verdict> verdicts = new java.util.HashMap<>();
    /** The users the session answered for itself, per message. */
    final Map<String, java.util.Set<String>> answered = new java.util.HashMap<>();

    final List<Queued> queued = new ArrayList<>();
    boolean spoolAvailable = true;
    boolean addressesAvailable = true;
    int discarded;

    private final Addresses addresses = new Addresses() {
        private final Map<String, List<String>> local = Map.of(
                "bob@example.com", List.of("bob"),
                "carol@example.com", List.of("carol"),
                "alice@example.com", List.of("alice"),
                "sales@example.com", List.of("bob", "carol"),
                "postmaster", List.of("postmaster"));

        @Override
        public Resolution resolve(String address) {
            List<String> users = local.get(address.toLowerCase(java.util.Locale.ROOT));
            if (users != null) {
                return Resolution.local(users);
            }
            return address.toLowerCase(java.util.Locale.ROOT).endsWith("@example.com")
                    ? Resolution.unknown("no such user")
                    : Resolution.foreign("not local");
        }

        @Override
        public boolean isAddressOf(String user, String address) {
            return resolve(address).users().equals(List.of(user));
        }

        @Override
        public boolean isLocalDomain(String domain) {
            return domain.equalsIgnoreCase("example.com");
        }
    };

    private final Spool spool = new Spool() {
        private int next;

        @Override
        public SpoolWriter receive(String sender, List<SpoolRecipient> recipients) {
            String id = "q" + (++next);
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            return new SpoolWriter() {
                boolean done;

                @Override
                public String id() {
                    return id;
                }

                @Override
                public OutputStream content() {
                    return content;
                }

                @Override
                public long size() {
                    return content.size();
                }

                @Override
                public Map<String, Verdict> deliverBeforeReply() {
                    Map<String, Verdict> said = new java.util.LinkedHashMap<>();
                    for (SpoolRecipient r : recipients) {
                        if (verdicts.containsKey(r.user())) {
                            said.put(r.user(), verdicts.get(r.user()));
                        }
                    }
                    return said;
                }

                @Override
                public String commit() {
                    return commit(java.util.Set.of());
                }

                @Override
                public String commit(java.util.Set<String> refused) {
                    done = true;
                    answered.put(id, refused);
                    List<SpoolRecipient> left = recipients.stream()
                            .filter(r -> !refused.contains(r.user()))
                            .toList();
                    if (!left.isEmpty()) {
                        queued.add(new Queued(id, sender, left, content.toString(UTF_8)));
                    }
                    return id;
                }

                @Override
                public void close() {
                    if (!done) {
                        done = true;
                        discarded++;
                    }
                }
            };
        }

        @Override
        public List<QueuedMessage> list() {
            return List.of();
        }

        @Override
        public QueuedMessage find(String id) {
            return null;
        }

        @Override
        public InputStream open(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int retry(String id) {
            return 0;
        }

        @Override
        public boolean delete(String id) {
            return false;
        }
    };

    private final LoginService login = new LoginService() {
        @Override
        public CompletionStage<AuthResult> login(Credentials credentials, InetAddress client, String protocol) {
            PasswordCredentials p = (PasswordCredentials) credentials;
            return CompletableFuture.completedFuture(
                    p.user().equals("alice") && p.password().equals("secret")
                            ? AuthResult.success("alice")
                            : AuthResult.invalid(p.user(), "wrong password"));
        }

        @Override
        public CompletionStage<AuthResult> reject(String user, String reason, InetAddress client, String protocol) {
            return CompletableFuture.completedFuture(AuthResult.invalid(user == null ? "" : user, reason));
        }
    };

    private final SaslMechanism plain = new SaslMechanism() {
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
            return response -> {
                String[] parts = new String(response, UTF_8).split("\0", -1);
                if (parts.length != 3) {
                    throw new SaslException("PLAIN wants authzid NUL user NUL password");
                }
                return SaslStep.done(new PasswordCredentials(parts[1], parts[2]));
            };
        }
    };

    @Override
    public Spool spool() {
        return spoolAvailable ? spool : null;
    }

    @Override
    public Addresses addresses() {
        return addressesAvailable ? addresses : null;
    }

    @Override
    public LoginService login() {
        return login;
    }

    /** Shaped like OAUTHBEARER: the response is alice's token; a refused one gets {@link #TOKEN_FAILURE}. */
    private final SaslMechanism token = new SaslMechanism() {
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
                    return SaslStep.done(new PasswordCredentials("alice", new String(response, UTF_8)));
                }

                @Override
                public byte[] failureChallenge(AuthResult result) {
                    return TOKEN_FAILURE.getBytes(UTF_8);
                }
            };
        }
    };

    static final String TOKEN_FAILURE = "{\"status\":\"invalid_token\"}";

    /** Offer {@link #token} besides PLAIN. */
    volatile boolean tokenMechanism;

    @Override
    public List<SaslMechanism> mechanisms() {
        return tokenMechanism ? List.of(plain, token) : List.of(plain);
    }

    /** Names of mechanisms that went away lately. */
    final java.util.Set<String> gone = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public boolean recentlyGone(String name) {
        return gone.contains(name.toUpperCase(java.util.Locale.ROOT));
    }
}
