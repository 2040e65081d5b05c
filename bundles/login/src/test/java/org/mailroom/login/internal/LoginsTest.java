package org.mailroom.login.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.mailroom.login.internal.PenaltiesTest.address;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Test;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.testing.Configs;

/** The login service with real threads and times scaled down (base delay 300 ms, interval 250 ms). */
public class LoginsTest {

    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
    private ThreadPoolExecutor verifier;
    private final AtomicReference<Authenticator> authenticator = new AtomicReference<>();
    private final Passwords passwords = new Passwords();

    @After
    public void stop() {
        timer.shutdownNow();
        if (verifier != null) {
            verifier.shutdownNow();
        }
    }

    /** Users with a password and a verification cost in milliseconds; unknown users cost as much as the dearest. */
    static final class Passwords implements Authenticator {
        final Map<String, String> passwords = new ConcurrentHashMap<>();
        final Map<String, Integer> costMillis = new ConcurrentHashMap<>();
        final AtomicInteger verifications = new AtomicInteger();
        final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();

        Passwords with(String user, String password, int cost) {
            passwords.put(user, password);
            costMillis.put(user, cost);
            return this;
        }

        @Override
        public AuthResult authenticate(Credentials credentials) {
            PasswordCredentials p = (PasswordCredentials) credentials;
            verifications.incrementAndGet();
            perUser.computeIfAbsent(p.user(), u -> new AtomicInteger()).incrementAndGet();
            int cost = costMillis.getOrDefault(
                    p.user(), costMillis.values().stream().max(Integer::compare).orElse(0));
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cost);
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            String stored = passwords.get(p.user());
            return stored != null && stored.equals(p.password())
                    ? AuthResult.success(p.user())
                    : AuthResult.invalid(p.user(), stored == null ? "unknown user" : "wrong password");
        }
    }

    private Logins logins(Map<String, Integer> overrides, int threads, int queue) {
        LoginSettings settings = LoginSettings.from(config(overrides));
        verifier = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue));
        return new Logins(
                type -> authenticator.get(), settings, new Penalties(settings), verifier, timer, System::nanoTime);
    }

    private Logins logins() {
        return logins(Map.of(), 2, 64);
    }

    static LoginConfig config(Map<String, Integer> values) {
        Map<String, Integer> all = new java.util.HashMap<>(Map.of(
                "failedLoginDelayMillis",
                300,
                "maxPenaltyMillis",
                1200,
                "penalizedIntervalMillis",
                250,
                "serviceWaitMillis",
                500));
        all.putAll(values);
        return Configs.of(LoginConfig.class, all);
    }

    private static AuthResult await(CompletableFuture<AuthResult> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static CompletableFuture<AuthResult> login(Logins logins, String user, String password, InetAddress from) {
        return logins.login(new PasswordCredentials(user, password), from, "test")
                .toCompletableFuture();
    }

    @Test(timeout = 60_000)
    public void failuresOfClientsThatNameNoUserCountForTheirAddressOnly() throws Exception {
        authenticator.set(passwords.with("ann", "pw", 1));
        Logins logins = logins();
        InetAddress attacker = address("192.0.2.66");
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    AuthResult.Status.INVALID,
                    await(login(logins, "", "bad-token", attacker)).status());
        }
        long started = System.nanoTime();
        assertEquals(
                AuthResult.Status.INVALID,
                await(login(logins, "", "bad-token", address("198.51.100.9"))).status());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(
                "another address answered after the base delay (300 ms), not the attacker's penalty: " + millis,
                millis < 900);
        started = System.nanoTime();
        await(login(logins, "", "bad-token", attacker));
        assertTrue(
                "the attacker's own address keeps its penalty",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) >= 1100);
    }

    @Test(timeout = 60_000)
    public void oneAddressGetsAboutOneVerifiedGuessPerIntervalWhileOthersLogInAtNormalSpeed() throws Exception {
        authenticator.set(passwords.with("victim", "secret", 50).with("ann", "pw", 1));
        Logins logins = logins();
        InetAddress attacker = address("192.0.2.66");
        InetAddress ann = address("198.51.100.1");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        AtomicInteger answered = new AtomicInteger();
        List<Thread> connections = new ArrayList<>();
        // 30 connections guess as fast as they can, each closing its attempt after 150 ms
        // (as the probe did) or waiting for the answer.
        for (int c = 0; c < 30; c++) {
            boolean impatient = c % 2 == 0;
            Thread t = new Thread(() -> {
                int i = 0;
                while (System.nanoTime() < end) {
                    CompletableFuture<AuthResult> f = login(logins, "victim", "guess" + i++, attacker);
                    try {
                        if (impatient) {
                            f.get(150, TimeUnit.MILLISECONDS);
                        } else {
                            f.get(10, TimeUnit.SECONDS);
                        }
                        answered.incrementAndGet();
                    } catch (Exception e) {
                        f.cancel(false);
                    }
                }
            });
            t.start();
            connections.add(t);
        }
        List<Long> annMillis = new ArrayList<>();
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            assertEquals(
                    AuthResult.Status.SUCCESS,
                    await(login(logins, "ann", "pw", ann)).status());
            annMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            Thread.sleep(50);
        }
        int guesses = passwords.perUser.get("victim").get();
        for (Thread t : connections) {
            t.join();
        }
        // 4 s at one per 250 ms after the first failure, plus the first few at once: about 20.
        assertTrue("verified " + guesses + " guesses in 4 s", guesses <= 24);
        annMillis.sort(null);
        long p90 = annMillis.get(annMillis.size() * 9 / 10);
        assertTrue("ann's logins took " + annMillis, p90 < 100);
    }

    @Test(timeout = 60_000)
    public void unknownCheapAndCostlyUsersFailInTheSameTime() throws Exception {
        authenticator.set(passwords.with("cheap", "x", 0).with("costly", "y", 150));
        Logins logins = logins();
        Map<String, List<Long>> millis = new java.util.TreeMap<>();
        int host = 0;
        for (int round = 0; round < 3; round++) {
            for (String user : List.of("cheap", "costly", "nobody")) {
                // a fresh address each time: the first failure of an address, the probe's case
                InetAddress from = address("203.0.113." + ++host);
                long start = System.nanoTime();
                AuthResult r = await(login(logins, user, "wrong", from));
                assertEquals(AuthResult.Status.INVALID, r.status());
                millis.computeIfAbsent(user, u -> new ArrayList<>())
                        .add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        }
        // Each user's failures also count against that user, so later rounds take longer, for all alike.
        for (int round = 0; round < 3; round++) {
            int r = round;
            long min = millis.values().stream().mapToLong(l -> l.get(r)).min().orElseThrow();
            long max = millis.values().stream().mapToLong(l -> l.get(r)).max().orElseThrow();
            assertTrue("failure times " + millis, min >= 300 && max - min <= 25);
        }
    }

    @Test(timeout = 60_000)
    public void aSuccessFromAnAddressWithRecentFailuresIsNotAnsweredFasterThanAFailure() throws Exception {
        authenticator.set(passwords.with("joe", "right", 0));
        Logins logins = logins();
        InetAddress from = address("192.0.2.10");
        await(login(logins, "joe", "wrong", from));
        long start = System.nanoTime();
        assertEquals(
                AuthResult.Status.SUCCESS,
                await(login(logins, "joe", "right", from)).status());
        long successMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("success after a failure answered in " + successMillis + " ms", successMillis >= 290);
        start = System.nanoTime();
        assertEquals(
                AuthResult.Status.SUCCESS,
                await(login(logins, "joe", "right", from)).status());
        assertTrue("trusted again after the success", System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test(timeout = 60_000)
    public void anAttemptWhoseClientLeftBeforeItsTurnIsNotVerified() throws Exception {
        authenticator.set(passwords.with("joe", "right", 0));
        Logins logins = logins(Map.of("penalizedIntervalMillis", 1000), 2, 64);
        InetAddress from = address("192.0.2.11");
        await(login(logins, "joe", "wrong", from));
        int before = passwords.verifications.get();
        // Its turn comes a second after the failure; the client leaves before that.
        CompletableFuture<AuthResult> left = login(logins, "joe", "guess", from);
        left.cancel(false);
        Thread.sleep(1200);
        assertEquals(before, passwords.verifications.get());
        assertEquals(
                AuthResult.Status.INVALID,
                await(login(logins, "joe", "guess2", from)).status());
    }

    @Test(timeout = 60_000)
    public void costlyHashingCannotStarveOtherLoginsOrQueueWithoutBound() throws Exception {
        authenticator.set(passwords.with("slow", "s", 300).with("fast", "f", 0));
        Logins logins = logins(Map.of(), 1, 2);
        // Many fresh addresses at once, each a costly verification: the queue of 2 fills up and
        // the rest are refused at once with a temporary error instead of piling up.
        List<CompletableFuture<AuthResult>> flood = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            flood.add(login(logins, "slow", "s", address("10.0.0." + (i + 1))));
        }
        int unavailable = 0;
        for (CompletableFuture<AuthResult> f : flood) {
            unavailable += await(f).status() == AuthResult.Status.UNAVAILABLE ? 1 : 0;
        }
        assertTrue("refused " + unavailable + " of 20", unavailable >= 15);
        assertEquals(
                AuthResult.Status.SUCCESS,
                await(login(logins, "fast", "f", address("10.0.1.1"))).status());
    }

    @Test(timeout = 60_000)
    public void aMissingAuthenticatorIsWaitedForThenATemporaryFailure() throws Exception {
        Logins logins = logins();
        long start = System.nanoTime();
        assertEquals(
                AuthResult.Status.UNAVAILABLE,
                await(login(logins, "joe", "x", address("192.0.2.20"))).status());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(450));
        CompletableFuture<AuthResult> waiting = login(logins, "joe", "right", address("192.0.2.20"));
        Thread.sleep(150);
        authenticator.set(passwords.with("joe", "right", 0));
        assertEquals(AuthResult.Status.SUCCESS, await(waiting).status());
    }

    @Test(timeout = 60_000)
    public void aRejectedAttemptCountsAsAFailure() throws Exception {
        authenticator.set(passwords.with("joe", "right", 0));
        Logins logins = logins();
        InetAddress from = address("192.0.2.30");
        long start = System.nanoTime();
        assertEquals(
                AuthResult.Status.INVALID,
                await(logins.reject(null, "malformed SASL response", from, "test")
                                .toCompletableFuture())
                        .status());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(290));
        assertEquals(1, logins.penalties().failures(from, System.nanoTime()));
    }

    @Test(timeout = 60_000)
    public void stoppingAnswersEveryWaitingAttemptAsUnavailable() throws Exception {
        authenticator.set(passwords.with("joe", "right", 0));
        Logins logins = logins(Map.of("penalizedIntervalMillis", 5000), 2, 64);
        InetAddress from = address("192.0.2.40");
        await(login(logins, "joe", "wrong", from));
        CompletableFuture<AuthResult> waiting = login(logins, "joe", "right", from);
        CompletableFuture<AuthResult> rejected =
                logins.reject("joe", "malformed", from, "test").toCompletableFuture();
        logins.stop();
        assertEquals(AuthResult.Status.UNAVAILABLE, await(waiting).status());
        assertEquals(AuthResult.Status.UNAVAILABLE, await(rejected).status());
    }
}
