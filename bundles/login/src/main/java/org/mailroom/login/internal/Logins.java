package org.mailroom.login.internal;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LoginService}: each attempt waits at its {@link Penalties} gates without holding a
 * thread, is verified on the bounded {@code verifier} pool, and is answered no sooner than its
 * penalty allows. An authenticator that is missing or UNAVAILABLE (its bundle being updated) is
 * retried until {@code serviceWait}; a full verification queue is a temporary failure at once.
 */
final class Logins implements LoginService {

    private static final Logger LOG = LoggerFactory.getLogger(Logins.class);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Function<String, Authenticator> authenticators;
    private final Penalties penalties;
    private volatile LoginSettings settings;
    private final ExecutorService verifier;
    private final ScheduledExecutorService timer;
    private final LongSupplier clock;
    private final Set<CompletableFuture<AuthResult>> pending = ConcurrentHashMap.newKeySet();

    Logins(
            Function<String, Authenticator> authenticators,
            LoginSettings settings,
            Penalties penalties,
            ExecutorService verifier,
            ScheduledExecutorService timer,
            LongSupplier clock) {
        this.authenticators = authenticators;
        this.settings = settings;
        this.penalties = penalties;
        this.verifier = verifier;
        this.timer = timer;
        this.clock = clock;
    }

    private final class Attempt {
        final Credentials credentials;
        final String protocol;
        final long deadline;
        volatile Penalties.Ticket ticket;
        final CompletableFuture<AuthResult> answer = track(new CompletableFuture<>());

        Attempt(Credentials credentials, String protocol, Penalties.Ticket ticket, long now) {
            this.credentials = credentials;
            this.protocol = protocol;
            this.ticket = ticket;
            this.deadline = now + settings.serviceWaitNanos();
        }
    }

    @Override
    public CompletionStage<AuthResult> login(Credentials credentials, InetAddress client, String protocol) {
        long now = clock.getAsLong();
        Attempt attempt = new Attempt(credentials, protocol, penalties.admit(client, claimed(credentials), now), now);
        tryStart(attempt);
        return attempt.answer;
    }

    @Override
    public CompletionStage<AuthResult> reject(String user, String reason, InetAddress client, String protocol) {
        long now = clock.getAsLong();
        Penalties.Ticket ticket = penalties.admit(client, user, now);
        penalties.failed(ticket, now);
        logFailure(protocol, user, client, reason, ticket);
        CompletableFuture<AuthResult> answer = track(new CompletableFuture<>());
        answerAt(answer, AuthResult.invalid(user == null ? "" : user, reason), ticket.failureAnswerAt);
        return answer;
    }

    /**
     * Answers every attempt still waiting with UNAVAILABLE, for the login bundle stopping: a
     * protocol then asks the login service registered next, instead of waiting for ever.
     */
    void stop() {
        for (CompletableFuture<AuthResult> answer : pending) {
            answer.complete(AuthResult.unavailable("", "login service stopping"));
        }
    }

    private CompletableFuture<AuthResult> track(CompletableFuture<AuthResult> answer) {
        pending.add(answer);
        answer.whenComplete((result, failure) -> pending.remove(answer));
        return answer;
    }

    /** New settings for later attempts; attempts in progress and recorded failures are kept. */
    void configure(LoginSettings next) {
        penalties.withSettings(next);
        settings = next;
    }

    /** Penalty state, for the console and tests. */
    Penalties penalties() {
        return penalties;
    }

    private void tryStart(Attempt attempt) {
        long now = clock.getAsLong();
        if (attempt.answer.isDone()) {
            penalties.released(attempt.ticket, now);
            return;
        }
        long wait = penalties.start(attempt.ticket, now);
        if (wait > 0) {
            later(() -> tryStart(attempt), wait);
            return;
        }
        try {
            verifier.execute(() -> verify(attempt));
        } catch (RejectedExecutionException e) {
            penalties.released(attempt.ticket, now);
            LOG.warn(
                    "{} login of {} from {}: the password verification queue is full ({} waiting); answered with a temporary error",
                    attempt.protocol,
                    LogText.of(attempt.credentials.user()),
                    attempt.ticket.address.getHostAddress(),
                    settings.verifyQueueLength());
            attempt.answer.complete(AuthResult.unavailable(attempt.credentials.user(), "verification queue full"));
        }
    }

    private void verify(Attempt attempt) {
        if (attempt.answer.isDone()) {
            penalties.released(attempt.ticket, clock.getAsLong());
            return;
        }
        Authenticator authenticator = authenticators.apply(attempt.credentials.type());
        AuthResult result;
        if (authenticator == null) {
            result = AuthResult.unavailable(
                    attempt.credentials.user(), "no authenticator for " + attempt.credentials.type() + " credentials");
        } else {
            try {
                result = authenticator.authenticate(attempt.credentials);
            } catch (RuntimeException | LinkageError e) {
                // An authenticator whose bundle is going away may fail this way: like UNAVAILABLE.
                result = AuthResult.unavailable(attempt.credentials.user(), "authenticator failed: " + e);
            }
        }
        long now = clock.getAsLong();
        switch (result.status()) {
            case SUCCESS -> {
                penalties.succeeded(attempt.ticket, now);
                answerAt(attempt.answer, result, attempt.ticket.successAnswerAt);
            }
            case INVALID -> {
                penalties.failed(attempt.ticket, now);
                logFailure(
                        attempt.protocol,
                        attempt.credentials.user(),
                        attempt.ticket.address,
                        result.reason(),
                        attempt.ticket);
                answerAt(attempt.answer, result, attempt.ticket.failureAnswerAt);
            }
            case UNAVAILABLE -> {
                penalties.released(attempt.ticket, now);
                if (now - attempt.deadline < 0) {
                    LOG.debug(
                            "Login of {} unavailable ({}), retrying",
                            LogText.of(attempt.credentials.user()),
                            result.reason());
                    later(() -> retry(attempt), RETRY_NANOS);
                } else {
                    LOG.warn(
                            "{} login of {} from {}: authentication unavailable: {}",
                            attempt.protocol,
                            LogText.of(attempt.credentials.user()),
                            attempt.ticket.address.getHostAddress(),
                            result.reason());
                    attempt.answer.complete(result);
                }
            }
        }
    }

    /** A new ticket for the same attempt (the old one was released; the penalty may have changed), same deadline. */
    private void retry(Attempt attempt) {
        if (attempt.answer.isDone()) {
            return;
        }
        attempt.ticket = penalties.admit(attempt.ticket.address, claimed(attempt.credentials), clock.getAsLong());
        tryStart(attempt);
    }

    private void answerAt(CompletableFuture<AuthResult> answer, AuthResult result, long at) {
        long wait = at - clock.getAsLong();
        if (wait <= 0) {
            answer.complete(result);
        } else {
            later(() -> answer.complete(result), wait);
        }
    }

    /**
     * The user whose failures count, or null for none: a client that names nobody (a bearer
     * token without an authorization identity) is penalised by its address only, so that bad
     * tokens from one client do not slow every other client that names nobody.
     */
    private static String claimed(Credentials credentials) {
        String user = credentials.user();
        return user == null || user.isEmpty() ? null : user;
    }

    private void later(Runnable task, long nanos) {
        try {
            timer.schedule(task, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Login service stopping; dropping a pending step");
        }
    }

    private void logFailure(String protocol, String user, InetAddress client, String reason, Penalties.Ticket ticket) {
        LOG.info(
                "Failed {} login{} from {}: {}{}",
                protocol,
                user == null ? "" : " of " + LogText.of(user),
                client.getHostAddress(),
                LogText.of(reason),
                ticket.recentFailures == 0 ? "" : " (" + ticket.recentFailures + " recent failures before this one)");
    }
}
