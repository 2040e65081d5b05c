package org.mailroom.auth.password.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.auth.PasswordScheme;
import org.mailroom.auth.password.internal.scheme.TestSchemes;

public class PasswordDirectoryTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private SchemeRegistry registry;
    private Path file;

    @Before
    public void setUp() throws IOException {
        registry = new SchemeRegistry();
        long id = 1;
        for (Map.Entry<String, PasswordScheme> e : TestSchemes.all().entrySet()) {
            registry.add(e.getValue(), Map.of(PasswordScheme.NAME, e.getKey(), "service.id", id++));
        }
        file = tmp.getRoot().toPath().resolve("users");
    }

    private PasswordDirectory directory() {
        PasswordDirectory d = new PasswordDirectory(file, registry, "ARGON2ID", "CRYPT");
        d.reloadIfChanged();
        return d;
    }

    private void write(String... lines) throws IOException {
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    }

    private static AuthResult.Status login(PasswordDirectory d, String user, String pw) {
        return d.authenticate(new PasswordCredentials(user, pw)).status();
    }

    @Test(timeout = 60_000)
    public void namesTheStoreCannotHoldAreRefusedWhenAdded() throws Exception {
        PasswordDirectory d = directory();
        for (String bad : new String[] {"a..b", "a\\b", "a:b", "a b", ".x", "x".repeat(256)}) {
            try {
                d.add(bad, "secret");
                fail("added " + bad);
            } catch (IllegalArgumentException expected) {
                // the shared rule of org.mailroom.api.auth.UserNames
            }
        }
        d.add("bob@example.com", "secret");
        assertTrue(d.exists("bob@example.com"));
    }

    @Test(timeout = 60_000)
    public void aUsersFileReadableByEveryoneIsClosedToOthersOnLoad() throws Exception {
        Files.writeString(file, "joe:{PLAIN}secret\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        PasswordDirectory d = directory();
        assertTrue(d.loaded());
        assertEquals(
                "rw-r-----",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(file, "joe:{PLAIN}other-password\n");
        assertTrue(d.reloadIfChanged());
        assertEquals(
                "a private file stays as it is",
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test(timeout = 60_000)
    public void readsDovecotPasswdFileVerbatim() throws IOException {
        write(
                "# a comment: with a colon",
                "",
                "alice:{SHA512-CRYPT}$6$hRFOJ9jFZMm7PBKl$/4m9i5ZZ78wXgKfab4fMoAMV7AptYplkDkqV/gLjcdKBLS3oRHkvWjlFt.AijWUhbU4cjXpwMswosCHahgfaG1:1000:1000::/home/alice::userdb_quota_rule=*:storage=1G",
                "bob:{PLAIN}pa\\ss=${user}:::",
                "carol:$6$hRFOJ9jFZMm7PBKl$/4m9i5ZZ78wXgKfab4fMoAMV7AptYplkDkqV/gLjcdKBLS3oRHkvWjlFt.AijWUhbU4cjXpwMswosCHahgfaG1",
                "include:{plain}x",
                "Dave@example.org:{SSHA}NtH4Tgw64X9SgkWwIdV/fIeD8I1aOC7O");
        PasswordDirectory d = directory();
        assertEquals(List.of("Dave@example.org", "alice", "bob", "carol", "include"), d.users());
        assertEquals(AuthResult.Status.SUCCESS, login(d, "alice", "secret"));
        assertEquals("backslash and ${} kept as written", AuthResult.Status.SUCCESS, login(d, "bob", "pa\\ss=${user}"));
        assertEquals("no prefix: CRYPT by $6$", AuthResult.Status.SUCCESS, login(d, "carol", "secret"));
        assertEquals("lower-case scheme name", AuthResult.Status.SUCCESS, login(d, "include", "x"));
        assertEquals(AuthResult.Status.SUCCESS, login(d, "Dave@example.org", "secret"));
        assertEquals("case-sensitive", AuthResult.Status.INVALID, login(d, "dave@example.org", "secret"));
        assertEquals(AuthResult.Status.INVALID, login(d, "alice", "Secret"));
        assertEquals(AuthResult.Status.INVALID, login(d, "nobody", "secret"));
        assertEquals(AuthResult.Status.INVALID, login(d, "alice", ""));
    }

    @Test(timeout = 60_000)
    public void badFilesNameTheLineAndKeepThePreviousUsers() throws IOException {
        write("alice:{PLAIN}a");
        PasswordDirectory d = directory();
        assertTrue(d.exists("alice"));
        String[][] bad = {
            {"alice:{PLAIN}a", "# c", "bob:{SHA521}xyz"},
            {"alice:{PLAIN}a", "bob"},
            {"alice:{PLAIN}a", "", "alice:{PLAIN}b"},
            {"alice:{PLAIN}a", "bad user:{PLAIN}x"},
            {"alice:{PLAIN}a", ".hidden:{PLAIN}x"},
            {"alice:{PLAIN}a", "x:{PLAIN"},
        };
        int[] lines = {3, 2, 3, 2, 2, 2};
        String[] reasons = {
            "unknown password scheme SHA521",
            "malformed line",
            "duplicate user alice (first defined on line 1)",
            "whitespace",
            "starts with '.'",
            "unterminated"
        };
        for (int i = 0; i < bad.length; i++) {
            try {
                new PasswdFileParser(registry::known, "CRYPT").parse(writeTo("bad" + i, bad[i]));
                fail("accepted bad file " + i);
            } catch (PasswdFileException e) {
                assertEquals(e.getMessage(), lines[i], e.line());
                assertTrue(e.getMessage(), e.getMessage().contains(reasons[i]));
                assertTrue(e.getMessage(), e.getMessage().contains("bad" + i));
            }
        }
        write("alice:{PLAIN}changed", "carol:{NOPE}x");
        bumpMtime();
        assertFalse(d.reloadIfChanged());
        assertEquals(AuthResult.Status.SUCCESS, login(d, "alice", "a"));
        assertFalse(d.exists("carol"));
    }

    private Path writeTo(String name, String... lines) throws IOException {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.write(p, List.of(lines), StandardCharsets.UTF_8);
        return p;
    }

    private void bumpMtime() throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5 + (long) (Math.random() * 1000))));
    }

    @Test(timeout = 60_000)
    public void reloadsWhenTheFileChanges() throws Exception {
        write("alice:{PLAIN}one");
        PasswordDirectory d = directory();
        assertFalse("unchanged file is not re-read", d.reloadIfChanged());
        write("alice:{PLAIN}two", "bob:{PLAIN}b");
        bumpMtime();
        assertTrue(d.reloadIfChanged());
        assertEquals(AuthResult.Status.SUCCESS, login(d, "alice", "two"));
        assertEquals(AuthResult.Status.INVALID, login(d, "alice", "one"));
        assertTrue(d.exists("bob"));
    }

    @Test(timeout = 60_000)
    public void componentPollsTheFile() throws Exception {
        write("alice:{PLAIN}one");
        PasswordDirectoryComponent c = new PasswordDirectoryComponent();
        long id = 100;
        for (Map.Entry<String, PasswordScheme> e : TestSchemes.all().entrySet()) {
            c.bindScheme(e.getValue(), Map.of(PasswordScheme.NAME, e.getKey(), "service.id", id++));
        }
        c.activate(
                TestSchemes.defaults(
                        PasswordDirectoryComponent.Config.class,
                        "usersFile",
                        file.toString(),
                        "reloadIntervalSeconds",
                        1),
                Map.of());
        try {
            assertTrue(c.exists("alice"));
            Path next = tmp.getRoot().toPath().resolve("users.new");
            Files.write(next, List.of("alice:{PLAIN}one", "zed:{PLAIN}z"));
            Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!c.exists("zed") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue("replaced file picked up by the poller", c.exists("zed"));
        } finally {
            c.deactivate();
        }
    }

    @Test(timeout = 60_000)
    public void aBadEditKeepsThePreviousSettingsAndUsersAndAGoodOneApplies() throws Exception {
        write("alice:{PLAIN}one");
        Path other = tmp.getRoot().toPath().resolve("other-users");
        Files.write(other, List.of("bob:{PLAIN}two"));
        PasswordDirectoryComponent c = new PasswordDirectoryComponent();
        long id = 100;
        for (Map.Entry<String, PasswordScheme> e : TestSchemes.all().entrySet()) {
            c.bindScheme(e.getValue(), Map.of(PasswordScheme.NAME, e.getKey(), "service.id", id++));
        }
        Map<String, Object> props = Map.of("felix.fileinstall.filename", "file:/etc/org.mailroom.auth.password.cfg");
        c.activate(TestSchemes.defaults(PasswordDirectoryComponent.Config.class, "usersFile", file.toString()), props);
        try {
            c.modified(
                    TestSchemes.defaults(
                            PasswordDirectoryComponent.Config.class,
                            "usersFile",
                            file.toString(),
                            "reloadIntervalSeconds",
                            0),
                    props);
            c.modified(TestSchemes.defaults(PasswordDirectoryComponent.Config.class, "usersFile", " "), props);
            assertEquals(
                    "a bad edit keeps the authenticator working",
                    AuthResult.Status.SUCCESS,
                    c.authenticate(new PasswordCredentials("alice", "one")).status());
            c.modified(
                    TestSchemes.defaults(PasswordDirectoryComponent.Config.class, "usersFile", other.toString()),
                    props);
            assertEquals(
                    AuthResult.Status.SUCCESS,
                    c.authenticate(new PasswordCredentials("bob", "two")).status());
            assertFalse(c.exists("alice"));
        } finally {
            c.deactivate();
        }
        try {
            new PasswordDirectoryComponent()
                    .activate(TestSchemes.defaults(PasswordDirectoryComponent.Config.class, "usersFile", ""), props);
            fail("a missing usersFile at first activation must fail");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("usersFile"));
        }
    }

    @Test(timeout = 60_000)
    public void schemeAppearingLaterMakesItsUsersLoginable() throws IOException {
        write("alice:{SM3}abc", "bob:{PLAIN}b");
        PasswordDirectory d = directory();
        assertEquals("file rejected: nothing loaded", AuthResult.Status.UNAVAILABLE, login(d, "bob", "b"));
        PasswordScheme sm3 = new PasswordScheme() {
            public boolean verify(String password, String encoded) {
                return ("h" + password).equals(encoded);
            }

            public String encode(String password) {
                return "h" + password;
            }
        };
        Map<String, Object> props = Map.of(PasswordScheme.NAME, "SM3", "service.id", 999L);
        registry.add(sm3, props);
        d.schemesChanged();
        assertTrue(d.reloadIfChanged());
        write("alice:{SM3}habc", "bob:{PLAIN}b");
        bumpMtime();
        assertTrue(d.reloadIfChanged());
        assertEquals(AuthResult.Status.SUCCESS, login(d, "alice", "abc"));
        registry.remove(sm3, props);
        assertEquals("scheme gone: temporary failure", AuthResult.Status.UNAVAILABLE, login(d, "alice", "abc"));
        assertEquals(AuthResult.Status.SUCCESS, login(d, "bob", "b"));
    }

    @Test(timeout = 60_000)
    public void writesKeepOtherLinesAndApplyImmediately() throws IOException {
        write("# header comment", "alice:{PLAIN}a:1000:1000::/home/alice::extra", "", "# about bob", "bob:{PLAIN}b");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        PasswordDirectory d = directory();
        d.add("carol", "c-pass");
        assertEquals(AuthResult.Status.SUCCESS, login(d, "carol", "c-pass"));
        d.setPassword("alice", "new-a");
        assertEquals(AuthResult.Status.SUCCESS, login(d, "alice", "new-a"));
        assertEquals(AuthResult.Status.INVALID, login(d, "alice", "a"));
        assertTrue(d.remove("bob"));
        assertFalse(d.remove("bob"));
        assertEquals(AuthResult.Status.INVALID, login(d, "bob", "b"));

        List<String> lines = Files.readAllLines(file);
        assertEquals("# header comment", lines.get(0));
        assertTrue(
                lines.get(1),
                lines.get(1)
                        .matches(
                                "alice:\\{ARGON2ID\\}\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[^:]+:1000:1000::/home/alice::extra"));
        assertEquals(List.of("", "# about bob"), lines.subList(2, 4));
        assertTrue(lines.get(4), lines.get(4).startsWith("carol:{ARGON2ID}$argon2id$"));
        assertEquals(5, lines.size());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        List<String> leftovers = Files.list(tmp.getRoot().toPath())
                .map(p -> p.getFileName().toString())
                .filter(n -> !n.equals("users"))
                .collect(Collectors.toList());
        assertEquals("no temp files left", List.of(), leftovers);

        PasswordDirectory fresh = directory();
        assertEquals(AuthResult.Status.SUCCESS, login(fresh, "carol", "c-pass"));
        assertFalse("own write is not reported as an external change", d.reloadIfChanged());
    }

    @Test(timeout = 60_000)
    public void rejectsBadNamesAndDuplicates() throws IOException {
        PasswordDirectory d = directory();
        d.add("first", "pw");
        assertTrue(Files.exists(file));
        for (String bad : List.of("a:b", "a/b", "a b", "a\tb", "a\u0001b", ".x", "..", "", "first")) {
            try {
                d.add(bad, "pw");
                fail("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                assertFalse(expected.getMessage().isEmpty());
            }
        }
        try {
            d.setPassword("nobody", "pw");
            fail();
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("nobody"));
        }
        assertEquals(List.of("first"), d.users());
    }

    @Test(timeout = 60_000)
    public void writesAreRefusedWhileTheFileIsBroken() throws IOException {
        write("alice:{PLAIN}a");
        PasswordDirectory d = directory();
        write("alice:{PLAIN}a", "broken");
        try {
            d.add("bob", "b");
            fail();
        } catch (IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("line 2"));
        }
        assertEquals(List.of("alice:{PLAIN}a", "broken"), Files.readAllLines(file));
    }

    /**
     * An unknown user costs one verification with the default scheme at the same cost parameters
     * as a real user's hash: checked on what is verified, not on timings, which a busy machine skews.
     */
    @Test(timeout = 60_000)
    public void missingFileIsUnavailableAndUnknownUserCostsTheSameVerification() throws IOException {
        PasswordScheme argon2 = registry.get("ARGON2ID");
        List<String> verified = new java.util.concurrent.CopyOnWriteArrayList<>();
        SchemeRegistry counting = new SchemeRegistry();
        counting.add(
                new PasswordScheme() {
                    @Override
                    public boolean verify(String password, String encoded) {
                        verified.add(encoded);
                        return argon2.verify(password, encoded);
                    }

                    @Override
                    public String encode(String password) {
                        return argon2.encode(password);
                    }
                },
                Map.of(PasswordScheme.NAME, "ARGON2ID", "service.id", 1L));
        PasswordDirectory d = new PasswordDirectory(file, counting, "ARGON2ID", "CRYPT");
        d.reloadIfChanged();
        assertEquals(AuthResult.Status.UNAVAILABLE, login(d, "alice", "x"));

        String stored = argon2.encode("pw");
        write("alice:{ARGON2ID}" + stored);
        assertTrue(d.reloadIfChanged());
        assertEquals(AuthResult.Status.INVALID, login(d, "nobody", "pw"));
        assertEquals(AuthResult.Status.INVALID, login(d, "alice", "wrong"));
        assertEquals("one verification per attempt: " + verified, 2, verified.size());
        assertEquals("the unknown user's verification costs as much as alice's", cost(stored), cost(verified.get(0)));
        assertEquals(stored, verified.get(1));
    }

    /** {@code $argon2id$v=19$m=..,t=..,p=..} of {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}. */
    private static String cost(String argon2) {
        int hash = argon2.lastIndexOf('$');
        return argon2.substring(0, argon2.lastIndexOf('$', hash - 1));
    }

    @Test(timeout = 60_000)
    public void shippedDemoUsersFileLetsDemoLogIn() throws IOException {
        try (java.io.InputStream in = getClass().getResourceAsStream("/demo-users")) {
            Files.copy(in, file);
        }
        PasswordDirectory d = directory();
        assertEquals(AuthResult.Status.SUCCESS, login(d, "demo", "demo"));
        assertEquals(AuthResult.Status.INVALID, login(d, "demo", "Demo"));
    }
}
