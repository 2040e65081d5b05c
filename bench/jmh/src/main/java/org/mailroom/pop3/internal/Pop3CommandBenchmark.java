package org.mailroom.pop3.internal;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.LoginService;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One POP3 command line through {@link Pop3Session#onLine}, the transport's entry point: UTF-8
 * decoding, verb and argument split, dispatch and the reply, against a connection without a
 * socket and a store in memory. POP3 has no separate parse step; this is the whole per-line work
 * short of the network and the store. USER runs in the AUTHORIZATION state, RETR and UIDL in
 * TRANSACTION with a mailbox of 40 messages (RETR hands the store's stream over unread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Pop3CommandBenchmark {

    private static final int MESSAGES = 40;

    private final byte[] user = "USER alice".getBytes(StandardCharsets.US_ASCII);
    private final byte[] retr = "RETR 17".getBytes(StandardCharsets.US_ASCII);
    private final byte[] uidl = "UIDL".getBytes(StandardCharsets.US_ASCII);

    private BenchConnection authConnection;
    private Pop3Session authorization;
    private BenchConnection txConnection;
    private Pop3Session transaction;

    @Setup
    public void setUp() {
        Pop3Services services = new MemoryServices(mailbox());
        Pop3Settings settings = new Pop3Settings(true, 0, Pop3Settings.DEFAULTS.serviceWait(), 10, 65536);
        MailboxLocks locks = new MailboxLocks();
        LoginHistory logins = new LoginHistory();

        authConnection = new BenchConnection();
        authorization = new Pop3Session(authConnection, services, settings, locks, logins, System::currentTimeMillis);
        authorization.greet();

        txConnection = new BenchConnection();
        transaction = new Pop3Session(txConnection, services, settings, locks, logins, System::currentTimeMillis);
        transaction.greet();
        transaction.onLine("USER bob".getBytes(StandardCharsets.US_ASCII));
        transaction.onLine("PASS correct horse".getBytes(StandardCharsets.US_ASCII));
        if (txConnection.lastLine == null || !txConnection.lastLine.startsWith("+OK Logged in")) {
            throw new IllegalStateException("benchmark session did not log in: " + txConnection.lastLine);
        }
        transaction.onLine(retr);
        if (txConnection.lastStream == null || !txConnection.lastLine.startsWith("+OK")) {
            throw new IllegalStateException("RETR 17 was not answered with a message: " + txConnection.lastLine);
        }
    }

    @Benchmark
    public void user(Blackhole bh) {
        authorization.onLine(user);
        bh.consume(authConnection.lastLine);
    }

    @Benchmark
    public void retr(Blackhole bh) {
        transaction.onLine(retr);
        bh.consume(txConnection.lastStream);
    }

    @Benchmark
    public void uidl(Blackhole bh) {
        transaction.onLine(uidl);
        bh.consume(txConnection.lastLine);
    }

    private static List<MessageInfo> mailbox() {
        List<MessageInfo> messages = new ArrayList<>(MESSAGES);
        long epoch = 1_764_000_000L;
        for (int i = 0; i < MESSAGES; i++) {
            String uid = (epoch + i * 600) + ".M" + (100_000 + i * 37) + "P2412Q" + (i + 1) + ".mail.example.com";
            messages.add(new MessageInfo(uid, 4_000 + i * 613L, Instant.ofEpochSecond(epoch + i * 600)));
        }
        return List.copyOf(messages);
    }

    /** A login service that accepts anyone and a store of one fixed mailbox for every user. */
    private static final class MemoryServices implements Pop3Services, LoginService, MailStore {

        private final List<MessageInfo> messages;

        MemoryServices(List<MessageInfo> messages) {
            this.messages = messages;
        }

        @Override
        public LoginService login() {
            return this;
        }

        @Override
        public MailStore store() {
            return this;
        }

        @Override
        public List<SaslMechanism> mechanisms() {
            return List.of();
        }

        @Override
        public boolean recentlyGone(String name) {
            return false;
        }

        @Override
        public CompletionStage<AuthResult> login(Credentials credentials, InetAddress client, String protocol) {
            return CompletableFuture.completedFuture(AuthResult.success(credentials.user()));
        }

        @Override
        public CompletionStage<AuthResult> reject(String user, String reason, InetAddress client, String protocol) {
            return CompletableFuture.completedFuture(AuthResult.invalid(user == null ? "" : user, reason));
        }

        @Override
        public List<MessageInfo> list(String user) {
            return messages;
        }

        @Override
        public InputStream open(String user, String uid) {
            return InputStream.nullInputStream();
        }

        @Override
        public int delete(String user, Collection<String> uids) {
            return 0;
        }

        @Override
        public String deliver(String user, InputStream message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean deliverOnce(String user, String key, InputStream message) {
            throw new UnsupportedOperationException();
        }
    }
}
