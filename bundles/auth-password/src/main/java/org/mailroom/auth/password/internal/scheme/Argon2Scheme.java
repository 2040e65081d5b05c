package org.mailroom.auth.password.internal.scheme;

import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.mailroom.api.auth.PasswordScheme;

/**
 * ARGON2I and ARGON2ID in the PHC string format Dovecot (libsodium) writes:
 * {@code $argon2id$v=19$m=65536,t=3,p=1$SALT$HASH} with unpadded base64.
 */
public final class Argon2Scheme implements PasswordScheme {

    /** Verification refuses memory costs above 1 GiB: such a hash would exhaust the heap. */
    public static final int MAX_MEMORY_KIB = 1024 * 1024;
    /** Argon2 needs at least 8 KiB per lane. */
    public static final int MIN_MEMORY_KIB = 8;

    public static final int MAX_PARALLELISM = 255;

    private static final Pattern PHC = Pattern.compile(
            "\\$(argon2id|argon2i)(?:\\$v=(\\d+))?\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");

    private final boolean id;
    private final int memoryKiB;
    private final int iterations;
    private final int parallelism;

    public Argon2Scheme(boolean id, int memoryKiB, int iterations, int parallelism) {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be within 1.." + MAX_PARALLELISM + ": " + parallelism);
        }
        if (memoryKiB < MIN_MEMORY_KIB * parallelism || memoryKiB > MAX_MEMORY_KIB) {
            throw new IllegalArgumentException("memory must be within " + MIN_MEMORY_KIB * parallelism + ".."
                    + MAX_MEMORY_KIB + " KiB for " + parallelism + " lanes: " + memoryKiB);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1: " + iterations);
        }
        this.id = id;
        this.memoryKiB = memoryKiB;
        this.iterations = iterations;
        this.parallelism = parallelism;
    }

    @Override
    public boolean verify(String password, String encoded) {
        Matcher m = PHC.matcher(encoded);
        if (!m.matches() || !m.group(1).equals(variantName())) {
            return false;
        }
        try {
            int version = m.group(2) == null ? Argon2Parameters.ARGON2_VERSION_10 : Integer.parseInt(m.group(2));
            int mem = Integer.parseInt(m.group(3));
            int t = Integer.parseInt(m.group(4));
            int p = Integer.parseInt(m.group(5));
            byte[] salt = Base64.getDecoder().decode(m.group(6));
            byte[] expected = Base64.getDecoder().decode(m.group(7));
            if ((version != Argon2Parameters.ARGON2_VERSION_10 && version != Argon2Parameters.ARGON2_VERSION_13)
                    || p < 1
                    || p > MAX_PARALLELISM
                    || mem < MIN_MEMORY_KIB * p
                    || mem > MAX_MEMORY_KIB
                    || t < 1
                    || salt.length < 8
                    || expected.length < 4
                    || expected.length > 1024) {
                return false;
            }
            return Secrets.equal(expected, hash(password, salt, version, mem, t, p, expected.length));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String encode(String password) {
        byte[] salt = Secrets.randomBytes(16);
        byte[] hash = hash(password, salt, Argon2Parameters.ARGON2_VERSION_13, memoryKiB, iterations, parallelism, 32);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$" + variantName() + "$v=19$m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + "$"
                + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    private String variantName() {
        return id ? "argon2id" : "argon2i";
    }

    private byte[] hash(String password, byte[] salt, int version, int mem, int t, int p, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(
                        id ? Argon2Parameters.ARGON2_id : Argon2Parameters.ARGON2_i)
                .withVersion(version)
                .withSalt(salt)
                .withMemoryAsKB(mem)
                .withIterations(t)
                .withParallelism(p)
                .build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(params);
        byte[] out = new byte[length];
        gen.generateBytes(Secrets.utf8(password), out);
        return out;
    }
}
