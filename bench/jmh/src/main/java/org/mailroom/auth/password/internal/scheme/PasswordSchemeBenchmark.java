package org.mailroom.auth.password.internal.scheme;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.mailroom.api.auth.PasswordScheme;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@link PasswordScheme#verify} of the correct password, the cost of every successful login,
 * with the schemes the bundle registers ({@link BuiltInSchemes#create}) and the hash encoded by
 * the scheme itself in the set-up. Costs are Mailroom's defaults (BuiltInSchemes and
 * etc/org.mailroom.auth.password.schemes.cfg): ARGON2ID m=19456 KiB, t=2, p=1; BLF-CRYPT cost 10;
 * PBKDF2 100,000 rounds (HMAC-SHA1); except SHA512-CRYPT, benchmarked at crypt(3)'s default of
 * 5,000 rounds (Mailroom writes 50,000 by default, ten times the cost).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PasswordSchemeBenchmark {

    private static final String PASSWORD = "correct horse battery staple";

    @Param({"PLAIN", "SHA512-CRYPT", "PBKDF2", "BLF-CRYPT", "ARGON2ID"})
    public String scheme;

    private PasswordScheme passwordScheme;
    private String encoded;

    @Setup
    public void setUp() {
        Map<BuiltInSchemes.Scheme, PasswordScheme> schemes = BuiltInSchemes.create(Map.of("sha512-crypt.rounds", 5000));
        passwordScheme = schemes.entrySet().stream()
                .filter(e -> e.getKey().names().contains(scheme))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no built-in scheme " + scheme));
        encoded = passwordScheme.encode(PASSWORD);
        if (!passwordScheme.verify(PASSWORD, encoded) || passwordScheme.verify(PASSWORD + "!", encoded)) {
            throw new IllegalStateException(scheme + " does not verify its own hash: " + encoded);
        }
    }

    @Benchmark
    public boolean verify() {
        return passwordScheme.verify(PASSWORD, encoded);
    }
}
