package org.mailroom.auth.password.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.auth.PasswordScheme;
import org.mailroom.auth.password.internal.scheme.TestSchemes;

/**
 * The verification cache seen through the directory: what counts is how many times the scheme
 * really verifies, and that a login never succeeds on a password the users file no longer holds.
 */
public class AuthCacheTest {

    private static final long TTL = TimeUnit.SECONDS.toNanos(3600);
    private static final long NEGATIVE_TTL = TimeUnit.SECONDS.toNanos(60);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicInteger verifications = new AtomicInteger();
    private SchemeRegistry registry;
    private Path file;

    /** A salted, slow-looking scheme: "h" + salt + "$" + password, counting each verification. */
    private final PasswordScheme counting = new PasswordScheme() {
        @Override
        public boolean verify(String password, String encoded) {
            verifications.incrementAndGet();
            return encoded.equals("h" + encoded.substring(1, encoded.indexOf("$")) + "$" + password);
        }

        @Override
        public String encode(String password) {
            return "h" + System.nanoTime() + "$" + password;
        }
    };

    @Before
    public void setUp() {
        registry = new SchemeRegistry();
        registry.add(counting, Map.of(PasswordScheme.NAME, "SLOW", "service.id", 1L));
        file = tmp.getRoot().toPath().resolve("users");
    }

    private PasswordDirectory directory(int size) {
        PasswordDirectory d =
                new PasswordDirectory(file, registry, "SLOW", "SLOW", new AuthCache(size, TTL, NEGATIVE_TTL, now::get));
        d.reloadIfChanged();
        return d;
    }

    private void write(String... lines) throws IOException {
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5 + (long) (Math.random() * 1000))));
    }

    private static AuthResult.Status login(PasswordDirectory d, String user, String pw) {
        return d.authenticate(new PasswordCredentials(user, pw)).status();
    }

    private void assertLogin(PasswordDirectory d, String user, String pw, AuthResult.Status expected, int verified) {
        int before = verifications.get();
        assertEquals(user + "/" + pw, expected, login(d, user, pw));
        assertEquals(user + "/" + pw + ": scheme verifications", verified, verifications.get() - before);
    }

    @Test(timeout = 60_000)
    public void aRepeatedLoginVerifiesOncePerTtlAndAnotherPasswordIsVerifiedAgain() throws IOException {
        write("alice:{SLOW}h1$secret");
        PasswordDirectory d = directory(100);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 0);
        assertLogin(d, "alice", "Secret", AuthResult.Status.INVALID, 1);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 1);
        now.addAndGet(TTL - 1);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 0);
        now.addAndGet(1);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 1);
    }

    @Test(timeout = 60_000)
    public void aChangedOrRemovedEntryIsNeverAnsweredFromTheCache() throws IOException {
        write("alice:{SLOW}h1$old", "bob:{SLOW}h1$b");
        PasswordDirectory d = directory(100);
        assertLogin(d, "alice", "old", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "bob", "b", AuthResult.Status.SUCCESS, 1);

        write("alice:{SLOW}h2$new", "bob:{SLOW}h1$b");
        assertTrue(d.reloadIfChanged());
        assertLogin(d, "alice", "old", AuthResult.Status.INVALID, 1);
        assertLogin(d, "alice", "new", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "bob", "b", AuthResult.Status.SUCCESS, 0);

        d.setPassword("bob", "b2");
        assertLogin(d, "bob", "b", AuthResult.Status.INVALID, 1);

        d.remove("alice");
        assertLogin(d, "alice", "new", AuthResult.Status.INVALID, 1);
    }

    @Test(timeout = 60_000)
    public void failuresAreCachedApartAndForAShorterTime() throws IOException {
        write("alice:{SLOW}h1$secret");
        PasswordDirectory d = directory(100);
        assertLogin(d, "alice", "guess", AuthResult.Status.INVALID, 1);
        assertLogin(d, "alice", "guess", AuthResult.Status.INVALID, 0);
        assertLogin(d, "alice", "other", AuthResult.Status.INVALID, 1);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "alice", "other", AuthResult.Status.INVALID, 1);
        assertLogin(d, "alice", "other", AuthResult.Status.INVALID, 0);
        now.addAndGet(NEGATIVE_TTL);
        assertLogin(d, "alice", "other", AuthResult.Status.INVALID, 1);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 0);
    }

    @Test(timeout = 60_000)
    public void anUnknownUserCachedAsAFailureLogsInOnceAdded() throws IOException {
        write("alice:{SLOW}h1$secret");
        PasswordDirectory d = directory(100);
        assertLogin(d, "carol", "pw", AuthResult.Status.INVALID, 1);
        assertLogin(d, "carol", "pw", AuthResult.Status.INVALID, 0);
        d.add("carol", "pw");
        assertLogin(d, "carol", "pw", AuthResult.Status.SUCCESS, 1);
    }

    @Test(timeout = 60_000)
    public void theCacheHoldsAtMostItsSizeInUsers() throws IOException {
        write("u1:{SLOW}h1$a", "u2:{SLOW}h1$b", "u3:{SLOW}h1$c");
        PasswordDirectory d = directory(2);
        assertLogin(d, "u1", "a", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "u2", "b", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "u1", "a", AuthResult.Status.SUCCESS, 0);
        assertLogin(d, "u3", "c", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "u1", "a", AuthResult.Status.SUCCESS, 0);
        assertLogin(d, "u2", "b", AuthResult.Status.SUCCESS, 1);
    }

    @Test(timeout = 60_000)
    public void sizeZeroVerifiesEveryLogin() throws IOException {
        write("alice:{SLOW}h1$secret");
        PasswordDirectory d = directory(0);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 1);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 1);
    }

    @Test(timeout = 60_000)
    public void aSchemeThatLeftMakesItsUsersUnavailableEvenWhenCached() throws IOException {
        write("alice:{SLOW}h1$secret");
        PasswordDirectory d = directory(100);
        assertLogin(d, "alice", "secret", AuthResult.Status.SUCCESS, 1);
        registry.remove(counting, Map.of(PasswordScheme.NAME, "SLOW", "service.id", 1L));
        assertEquals(AuthResult.Status.UNAVAILABLE, login(d, "alice", "secret"));
    }

    @Test(timeout = 60_000)
    public void theComponentRefusesBadCacheSettingsNamingTheKey() throws IOException {
        write("alice:{PLAIN}a");
        Map<String, Object> props = Map.of("felix.fileinstall.filename", "file:/etc/org.mailroom.auth.password.cfg");
        for (Object[] bad : new Object[][] {
            {"cacheSize", -1, "cacheSize"},
            {"cacheTtlSeconds", -5, "cacheTtlSeconds"},
            {"cacheNegativeTtlSeconds", 4000, "cacheNegativeTtlSeconds"},
        }) {
            PasswordDirectoryComponent c = new PasswordDirectoryComponent();
            for (Map.Entry<String, PasswordScheme> e : TestSchemes.all().entrySet()) {
                c.bindScheme(e.getValue(), Map.of(PasswordScheme.NAME, e.getKey(), "service.id", 7L));
            }
            try {
                c.activate(
                        TestSchemes.defaults(
                                PasswordDirectoryComponent.Config.class, "usersFile", file.toString(), bad[0], bad[1]),
                        props);
                fail("accepted " + bad[0] + " = " + bad[1]);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().startsWith("key " + bad[2] + ":"));
            }
        }
    }
}
