package org.mailroom.pop3.internal;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.LogText;
import org.mailroom.api.protocol.ProtocolSession;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.sasl.SaslStep;
import org.mailroom.api.store.DamagedMessageException;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.MessageNotFoundException;
import org.mailroom.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One POP3 session: RFC 1939 with CAPA (RFC 2449), response codes (RFC 2449, 3206), SASL AUTH
 * (RFC 5034), STLS (RFC 2595) and UTF8 (RFC 6856). Holds only API value objects between commands;
 * services are looked up for every use and waited for briefly while they are being replaced.
 */
final class Pop3Session implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Session.class);
    private static final Duration RETRY = Duration.ofMillis(50);
    static final String IMPLEMENTATION = "Mailroom";
    private static final String PROTOCOL = "pop3";

    private enum State {
        AUTHORIZATION,
        TRANSACTION,
        CLOSED
    }

    private final Connection connection;
    private final Pop3Services services;
    private final Pop3Settings settings;
    private final MailboxLocks locks;
    private final LoginHistory logins;
    private final LongSupplier clock;
    private Runnable whenClosed = () -> {};

    private State state = State.AUTHORIZATION;
    private String pendingUser;
    private String user;
    private List<MessageInfo> messages = List.of();
    private boolean[] deleted = new boolean[0];
    private int lineLengthBeforeSasl;
    private int badCommands;
    private SaslExchange sasl;
    /** After a refused token, the error challenge was sent: the next line, whatever it is, ends AUTH. */
    private boolean awaitingFailureResponse;

    Pop3Session(
            Connection connection,
            Pop3Services services,
            Pop3Settings settings,
            MailboxLocks locks,
            LoginHistory logins,
            LongSupplier clock) {
        this.connection = connection;
        this.services = services;
        this.settings = settings;
        this.locks = locks;
        this.logins = logins;
        this.clock = clock;
    }

    /** Runs once the connection is closed, for the owner's bookkeeping. */
    void whenClosed(Runnable action) {
        whenClosed = action;
    }

    void greet() {
        connection.send("+OK Mailroom POP3 server ready");
    }

    // ---- transport callbacks

    @Override
    public void onLine(byte[] bytes) {
        if (state == State.CLOSED) {
            return;
        }
        if (awaitingFailureResponse) {
            endFailureChallenge();
            return;
        }
        String line;
        try {
            line = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            if (sasl != null) {
                endSasl();
            }
            bad("-ERR Invalid UTF-8 in command");
            return;
        }
        if (sasl != null) {
            saslContinue(line);
            return;
        }
        int space = line.indexOf(' ');
        String command = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : line.substring(space + 1);
        if (state == State.AUTHORIZATION) {
            authorization(command, argument);
        } else {
            transaction(command, argument);
        }
    }

    @Override
    public void onLineTooLong() {
        if (awaitingFailureResponse) {
            endFailureChallenge();
        } else if (sasl != null) {
            endSasl();
            bad("-ERR [AUTH] SASL response too long");
        } else {
            bad("-ERR Line too long");
        }
    }

    @Override
    public void onIdle() {
        if (state != State.CLOSED) {
            connection.send("-ERR Disconnected for inactivity");
            releaseMailbox();
            state = State.CLOSED;
        }
    }

    @Override
    public void onClosed() {
        releaseMailbox();
        state = State.CLOSED;
        whenClosed.run();
    }

    /** Ends the session from outside, e.g. when the POP3 bundle stops. Deletes nothing. */
    void shutdown() {
        connection.close(Pop3Replies.SHUTTING_DOWN);
    }

    // ---- AUTHORIZATION state

    private void authorization(String command, String argument) {
        switch (command) {
            case "CAPA" -> capa();
            case "USER" -> user(argument);
            case "PASS" -> pass(argument);
            case "AUTH" -> auth(argument);
            case "STLS" -> stls();
            case "UTF8" -> connection.send("+OK UTF8 enabled");
            case "QUIT" -> quit();
            case "APOP" -> bad("-ERR APOP is not offered here");
            case "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL" -> bad("-ERR Not logged in");
            default -> bad(Pop3Replies.UNKNOWN_COMMAND);
        }
    }

    private boolean plaintextAllowed() {
        return settings.allowPlaintextAuth() || connection.isSecure() || connection.isLoopback();
    }

    private void capa() {
        List<String> lines = new ArrayList<>();
        lines.add("+OK Capability list follows");
        lines.add("TOP");
        if (plaintextAllowed()) {
            lines.add("USER");
        }
        lines.add("UIDL");
        lines.add("RESP-CODES");
        lines.add("AUTH-RESP-CODE");
        lines.add("PIPELINING");
        // RFC 2449 section 5: what AUTHORIZATION offers is announced in both states; only STLS is
        // announced where it is permitted (RFC 2595 section 4).
        StringBuilder sasl = new StringBuilder("SASL");
        for (SaslMechanism m : services.mechanisms()) {
            if (!m.exposesSecret() || plaintextAllowed()) {
                sasl.append(' ').append(m.name());
            }
        }
        if (sasl.length() > 4) {
            lines.add(sasl.toString());
        }
        if (state == State.AUTHORIZATION && connection.isStartTlsAvailable()) {
            lines.add("STLS");
        }
        lines.add("UTF8 USER");
        lines.add("EXPIRE NEVER");
        lines.add("LOGIN-DELAY " + settings.loginDelaySeconds());
        lines.add("IMPLEMENTATION " + IMPLEMENTATION);
        lines.add(".");
        lines.forEach(connection::send);
    }

    private void user(String argument) {
        if (!plaintextAllowed()) {
            bad(Pop3Replies.PLAINTEXT_DISALLOWED);
            return;
        }
        if (argument.isEmpty()) {
            bad("-ERR USER needs a user name");
            return;
        }
        pendingUser = argument;
        connection.send("+OK");
    }

    private void pass(String password) {
        String name = pendingUser;
        pendingUser = null;
        if (name == null) {
            bad("-ERR USER first");
            return;
        }
        authenticate(new PasswordCredentials(name, password), null);
    }

    private void auth(String argument) {
        if (argument.isEmpty()) {
            connection.send("+OK Supported SASL mechanisms follow");
            for (SaslMechanism m : services.mechanisms()) {
                if (!m.exposesSecret() || plaintextAllowed()) {
                    connection.send(m.name());
                }
            }
            connection.send(".");
            return;
        }
        String[] parts = argument.split(" ", -1);
        if (parts.length > 2) {
            bad("-ERR Syntax: AUTH mechanism [initial-response]");
            return;
        }
        String name = parts[0].toUpperCase(Locale.ROOT);
        String initial = parts.length == 2 ? parts[1] : null;
        if (!services.mechanisms().isEmpty() && mechanism(name) == null && !services.recentlyGone(name)) {
            bad(Pop3Replies.UNSUPPORTED_MECHANISM);
            return;
        }
        // No mechanism at all, or this one gone lately, means its bundle is being replaced: wait for it.
        awaitService(
                () -> mechanism(name),
                RETRY,
                deadline(),
                mechanism -> startSasl(mechanism, initial),
                () -> connection.send(
                        services.mechanisms().isEmpty() || services.recentlyGone(name)
                                ? Pop3Replies.AUTH_UNAVAILABLE
                                : Pop3Replies.UNSUPPORTED_MECHANISM));
    }

    private SaslMechanism mechanism(String name) {
        for (SaslMechanism m : services.mechanisms()) {
            if (m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        return null;
    }

    private void startSasl(SaslMechanism mechanism, String initial) {
        if (mechanism.exposesSecret() && !plaintextAllowed()) {
            bad(Pop3Replies.PLAINTEXT_DISALLOWED);
            return;
        }
        sasl = mechanism.start();
        lineLengthBeforeSasl = connection.maxLineLength();
        connection.setMaxLineLength(Math.max(connection.maxLineLength(), settings.maxSaslLineLength()));
        saslContinue(initial == null ? "=" : initial);
    }

    private void saslContinue(String line) {
        if (line.equals("*")) {
            endSasl();
            bad("-ERR Authentication cancelled");
            return;
        }
        byte[] response;
        try {
            response = line.equals("=") ? new byte[0] : Base64.getDecoder().decode(line);
        } catch (IllegalArgumentException e) {
            endSasl();
            bad("-ERR [AUTH] Invalid base64 in SASL response");
            return;
        }
        SaslStep step;
        try {
            step = sasl.evaluate(response);
        } catch (SaslException e) {
            endSasl();
            failedLogin("malformed SASL response: " + e.getMessage(), null);
            return;
        } catch (RuntimeException | LinkageError e) {
            endSasl();
            LOG.warn("SASL mechanism failed", e);
            connection.send(Pop3Replies.AUTH_UNAVAILABLE);
            return;
        }
        if (step.isDone()) {
            SaslExchange exchange = sasl;
            endSasl();
            authenticate(step.credentials(), exchange);
        } else {
            connection.send("+ " + Base64.getEncoder().encodeToString(step.challenge()));
        }
    }

    private void endSasl() {
        sasl = null;
        connection.setMaxLineLength(lineLengthBeforeSasl);
    }

    private void stls() {
        if (connection.isSecure()) {
            bad("-ERR TLS is already active");
        } else if (!connection.isStartTlsAvailable()) {
            bad("-ERR STLS is not available on this port");
        } else {
            pendingUser = null;
            connection.startTls("+OK Begin TLS negotiation now");
        }
    }

    /** @param exchange the SASL exchange that yielded the credentials, null for USER/PASS */
    private void authenticate(Credentials credentials, SaslExchange exchange) {
        if (credentials instanceof PasswordCredentials p
                && (p.password().isEmpty() || p.user().isEmpty())) {
            failedLogin("empty user name or password", credentials.user());
            return;
        }
        authenticate(credentials, exchange, deadline());
    }

    /**
     * A login service that stops while it checks (its bundle being updated) answers UNAVAILABLE;
     * the attempt then goes to the login service registered next, until the deadline.
     */
    private void authenticate(Credentials credentials, SaslExchange exchange, long deadline) {
        awaitService(
                services::login,
                RETRY,
                deadline,
                login -> connection.await(login.login(credentials, clientAddress(), PROTOCOL), (result, failure) -> {
                    if (result != null && result.succeeded()) {
                        login(result.user(), deadline());
                    } else if (result != null && result.status() == AuthResult.Status.INVALID) {
                        refused(exchange, result);
                    } else if (services.login() != login && System.nanoTime() - deadline < 0) {
                        authenticate(credentials, exchange, deadline);
                    } else {
                        connection.send(Pop3Replies.AUTH_UNAVAILABLE);
                    }
                }),
                () -> connection.send(Pop3Replies.AUTH_UNAVAILABLE));
    }

    /** RFC 7628 3.2.2: a mechanism may first send an error challenge, answered by one client line. */
    private void refused(SaslExchange exchange, AuthResult result) {
        byte[] challenge = null;
        if (exchange != null) {
            try {
                challenge = exchange.failureChallenge(result);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("SASL mechanism failed to give its failure challenge", e);
            }
        }
        if (challenge == null) {
            bad(Pop3Replies.AUTH_FAILED);
            return;
        }
        awaitingFailureResponse = true;
        lineLengthBeforeSasl = connection.maxLineLength();
        connection.setMaxLineLength(Math.max(connection.maxLineLength(), settings.maxSaslLineLength()));
        connection.send("+ " + Base64.getEncoder().encodeToString(challenge));
    }

    private void endFailureChallenge() {
        awaitingFailureResponse = false;
        connection.setMaxLineLength(lineLengthBeforeSasl);
        bad(Pop3Replies.AUTH_FAILED);
    }

    /** A failure POP3 decided itself: counted and answered by the login service like a wrong password. */
    private void failedLogin(String reason, String name) {
        awaitService(
                services::login,
                RETRY,
                deadline(),
                login -> connection.await(
                        login.reject(name, reason, clientAddress(), PROTOCOL),
                        (result, failure) -> bad(Pop3Replies.AUTH_FAILED)),
                () -> bad(Pop3Replies.AUTH_FAILED));
    }

    private InetAddress clientAddress() {
        InetSocketAddress remote = connection.remoteAddress();
        return remote == null || remote.getAddress() == null ? InetAddress.getLoopbackAddress() : remote.getAddress();
    }

    private void login(String name, long deadline) {
        if (!locks.tryLock(name, this)) {
            connection.send("-ERR [IN-USE] Mailbox is locked by another POP3 session");
            return;
        }
        user = name;
        awaitStore(
                deadline,
                store -> {
                    List<MessageInfo> listed = store.list(name);
                    // Counted only once the mailbox opened, so a store failure does not use up the user's slot.
                    if (!logins.tryLogin(name, settings.loginDelaySeconds(), clock.getAsLong())) {
                        releaseMailbox();
                        user = null;
                        connection.send("-ERR [LOGIN-DELAY] Minimum time between logins is "
                                + settings.loginDelaySeconds() + " seconds");
                        return;
                    }
                    messages = List.copyOf(listed);
                    deleted = new boolean[messages.size()];
                    state = State.TRANSACTION;
                    connection.authenticated(name);
                    LOG.info("POP3 login of {} from {}", LogText.of(name), connection.remoteAddress());
                    connection.send("+OK Logged in, " + messages.size() + " messages (" + totalSize() + " octets)");
                },
                () -> {
                    releaseMailbox();
                    user = null;
                });
    }

    // ---- TRANSACTION state

    private void transaction(String command, String argument) {
        switch (command) {
            case "STAT" -> connection.send("+OK " + count() + " " + totalSize());
            case "LIST" -> list(argument, false);
            case "UIDL" -> list(argument, true);
            case "RETR" -> retrieve(argument, null);
            case "TOP" -> top(argument);
            case "DELE" -> dele(argument);
            case "RSET" -> {
                deleted = new boolean[messages.size()];
                connection.send("+OK " + count() + " messages (" + totalSize() + " octets)");
            }
            case "NOOP" -> connection.send("+OK");
            case "CAPA" -> capa();
            case "QUIT" -> update();
            case "USER", "PASS", "AUTH", "APOP", "STLS", "UTF8" -> bad("-ERR Already logged in");
            default -> bad(Pop3Replies.UNKNOWN_COMMAND);
        }
    }

    private int count() {
        int n = 0;
        for (boolean d : deleted) {
            n += d ? 0 : 1;
        }
        return n;
    }

    private long totalSize() {
        long total = 0;
        for (int i = 0; i < messages.size(); i++) {
            total += deleted[i] ? 0 : messages.get(i).size();
        }
        return total;
    }

    /** The 0-based index of a live message number argument, or -1 after sending an error. */
    private int message(String argument) {
        int n;
        try {
            n = Integer.parseInt(argument.trim());
        } catch (NumberFormatException e) {
            bad("-ERR Invalid message number");
            return -1;
        }
        if (n < 1 || n > messages.size()) {
            bad("-ERR No such message");
            return -1;
        }
        if (deleted[n - 1]) {
            bad("-ERR Message " + n + " is deleted");
            return -1;
        }
        return n - 1;
    }

    private void list(String argument, boolean uids) {
        if (!argument.isEmpty()) {
            int i = message(argument);
            if (i >= 0) {
                connection.send("+OK " + (i + 1) + " " + value(i, uids));
            }
            return;
        }
        connection.send(
                uids ? "+OK Unique-ID listing follows" : "+OK " + count() + " messages (" + totalSize() + " octets)");
        for (int i = 0; i < messages.size(); i++) {
            if (!deleted[i]) {
                connection.send((i + 1) + " " + value(i, uids));
            }
        }
        connection.send(".");
    }

    private String value(int i, boolean uid) {
        MessageInfo m = messages.get(i);
        return uid ? m.uid() : Long.toString(m.size());
    }

    private void top(String argument) {
        String[] parts = argument.trim().split(" +");
        if (parts.length != 2) {
            bad("-ERR Syntax: TOP message lines");
            return;
        }
        long lines;
        try {
            lines = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            bad(Pop3Replies.INVALID_LINES);
            return;
        }
        if (lines < 0) {
            bad(Pop3Replies.INVALID_LINES);
            return;
        }
        retrieve(parts[0], lines);
    }

    private void retrieve(String argument, Long topLines) {
        int i = message(argument);
        if (i < 0) {
            return;
        }
        MessageInfo m = messages.get(i);
        awaitStore(
                deadline(),
                store -> {
                    InputStream content;
                    try {
                        content = store.open(user, m.uid());
                    } catch (MessageNotFoundException e) {
                        connection.send("-ERR Message " + (i + 1) + " is no longer available");
                        return;
                    } catch (DamagedMessageException e) {
                        // The store logs which file; the session goes on with the other messages.
                        connection.send("-ERR Message " + (i + 1) + " is damaged and cannot be read");
                        return;
                    }
                    connection.send(topLines == null ? "+OK " + m.size() + " octets" : "+OK Top of message follows");
                    connection.sendStream(new Pop3ContentStream(content, topLines == null ? -1 : topLines));
                },
                () -> {});
    }

    private void dele(String argument) {
        int i = message(argument);
        if (i >= 0) {
            deleted[i] = true;
            connection.send("+OK Message " + (i + 1) + " deleted");
        }
    }

    /** QUIT in TRANSACTION: the UPDATE state. */
    private void update() {
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (deleted[i]) {
                uids.add(messages.get(i).uid());
            }
        }
        if (uids.isEmpty()) {
            finish(Pop3Replies.SIGNING_OFF);
            return;
        }
        awaitStore(
                deadline(),
                store -> {
                    int removed = store.delete(user, uids);
                    finish(Pop3Replies.SIGNING_OFF + " (" + removed + " messages deleted)");
                },
                () -> finish(null));
    }

    private void quit() {
        finish(Pop3Replies.SIGNING_OFF);
    }

    private void finish(String reply) {
        releaseMailbox();
        state = State.CLOSED;
        connection.close(reply);
    }

    private void releaseMailbox() {
        if (user != null) {
            locks.unlock(user, this);
        }
    }

    // ---- helpers

    private void bad(String reply) {
        badCommands++;
        if (badCommands >= settings.maxBadCommands()) {
            releaseMailbox();
            state = State.CLOSED;
            connection.close(reply + "; too many errors, closing the connection");
        } else {
            connection.send(reply);
        }
    }

    private long deadline() {
        return System.nanoTime() + settings.serviceWait().toNanos();
    }

    private interface StoreAction {
        void run(MailStore store) throws StoreException;
    }

    /**
     * Runs a store action, waiting for a store to be registered if none is; store errors become
     * -ERR [SYS/TEMP] or [SYS/PERM] replies, and {@code onFailure} runs after the reply.
     */
    private void awaitStore(long deadline, StoreAction action, Runnable onFailure) {
        awaitService(
                services::store,
                RETRY,
                deadline,
                store -> {
                    try {
                        action.run(store);
                    } catch (StoreException e) {
                        LOG.warn("Mail store failed for {}: {}", LogText.of(user), e.getMessage());
                        connection.send(
                                e.isTemporary()
                                        ? Pop3Replies.MAILBOX_UNAVAILABLE
                                        : "-ERR [SYS/PERM] Mailbox unavailable: " + e.getMessage());
                        onFailure.run();
                    }
                },
                () -> {
                    connection.send(Pop3Replies.MAILBOX_UNAVAILABLE);
                    onFailure.run();
                });
    }

    /**
     * Runs {@code use} with the service {@code lookup} finds; while it finds none (a bundle being
     * updated) it retries without holding a thread until {@code deadline}, then runs {@code missing}.
     * A service that fails with a runtime error while it goes away is retried the same way.
     */
    private <T> void awaitService(
            Supplier<T> lookup, Duration retry, long deadline, Consumer<T> use, Runnable missing) {
        if (state == State.CLOSED) {
            return;
        }
        T service = lookup.get();
        if (service != null) {
            try {
                use.accept(service);
                return;
            } catch (RuntimeException | LinkageError e) {
                if (System.nanoTime() >= deadline) {
                    LOG.warn("A service failed while handling a POP3 command", e);
                    missing.run();
                    return;
                }
                LOG.debug("Service failed (being replaced?), retrying", e);
            }
        } else if (System.nanoTime() >= deadline) {
            missing.run();
            return;
        }
        connection.pause(retry, () -> awaitService(lookup, retry, deadline, use, missing));
    }
}
