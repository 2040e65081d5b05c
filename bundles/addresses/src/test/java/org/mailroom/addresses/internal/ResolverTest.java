package org.mailroom.addresses.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.address.Resolution;
import org.mailroom.api.address.Resolution.Kind;
import org.mailroom.api.auth.UserDirectory;

public class ResolverTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private volatile UserDirectory directory = new MemoryDirectory("alice", "bob", "Carol", "jörg", "eve+work");

    /** A resolver for example.com, bücher.example and other.example with these aliases. */
    private Resolver resolverWith(String delimiter, String postmaster, String... aliases) throws IOException {
        Path file = tmp.getRoot().toPath().resolve("aliases");
        Files.write(file, List.of(aliases), StandardCharsets.UTF_8);
        Domains domains = Domains.parse("example.com,Bücher.Example , other.example");
        AliasesFile aliasesFile = new AliasesFile(file, new AliasesParser(domains, delimiter, postmaster));
        aliasesFile.reloadIfChanged();
        return new Resolver(domains, delimiter, postmaster, aliasesFile::table, () -> directory);
    }

    private Resolver resolver(String... aliases) throws IOException {
        return resolverWith("+", "postmaster", aliases);
    }

    private static void assertLocal(Resolver r, String address, String... users) {
        assertEquals(address, Resolution.local(List.of(users)), r.resolve(address));
    }

    private static void assertKind(Resolver r, Kind kind, String address, String reason) {
        Resolution res = r.resolve(address);
        assertEquals(address + ": " + res, kind, res.kind());
        assertTrue(address + ": " + res.reason(), res.reason().contains(reason));
    }

    @Test
    public void usersByTheirLocalPartExactlyThenInLowerCase() throws IOException {
        Resolver r = resolver();
        assertLocal(r, "alice@example.com", "alice");
        assertLocal(r, "  ALICE@Example.COM \t", "alice");
        assertLocal(r, "alice@other.example", "alice");
        assertLocal(r, "Carol@example.com", "Carol");
        assertKind(r, Kind.UNKNOWN, "carol@example.com", "no such user");
        assertKind(r, Kind.UNKNOWN, "nobody@example.com", "no such user");
        assertKind(r, Kind.UNKNOWN, "a/b@example.com", "no such user");
        assertKind(r, Kind.FOREIGN, "alice@example.org", "example.org");
        assertKind(r, Kind.FOREIGN, "alice@[127.0.0.1]", "address literal");
        assertTrue(r.isLocalDomain("EXAMPLE.com"));
        assertTrue(r.isLocalDomain("xn--bcher-kva.example"));
        assertFalse(r.isLocalDomain("example.org"));
        assertFalse(r.isLocalDomain("exa mple.com"));
        assertFalse(r.isLocalDomain(null));
    }

    @Test
    public void badAddressesAreUnknownWithTheProblem() throws IOException {
        Resolver r = resolver();
        String[][] cases = {
            {"", "empty address"},
            {"   ", "empty address"},
            {null, "empty address"},
            {"alice", "no domain"},
            {"@example.com", "empty local part"},
            {"alice@", "empty domain"},
            {".alice@example.com", "misplaced '.'"},
            {"al..ice@example.com", "misplaced '.'"},
            {"al ice@example.com", "U+0020"},
            {"al(ice@example.com", "'('"},
            {"ali\u0000ce@example.com", "U+0000"},
            {"\"alice@example.com", "unterminated quoted local part"},
            {"\"al\"ice@example.com", "after the closing quote"},
            {"\"al\\\u0007\"@example.com", "backslash escape"},
            {"\"\"@example.com", "empty local part"},
            {"alice@exa mple.com", "bad domain"},
            {"alice@example.com.", "ends with '.'"},
            {"alice@example..com", "bad domain"},
            {"alice@1.2.3.4", "IP address"},
        };
        for (String[] c : cases) {
            Resolution res = r.resolve(c[0]);
            assertEquals(c[0] + ": " + res, Kind.UNKNOWN, res.kind());
            assertTrue(c[0] + ": " + res.reason(), res.reason().contains(c[1]));
        }
    }

    @Test
    public void quotedLocalPartsAreUnquoted() throws IOException {
        Resolver r = resolver("\"john doe\"@example.com  bob", "\"a@b\"@example.com carol");
        assertLocal(r, "\"alice\"@example.com", "alice");
        assertLocal(r, "\"al\\ice\"@example.com", "alice");
        assertLocal(r, "\"john doe\"@example.com", "bob");
        assertLocal(r, "\"John\\ Doe\"@EXAMPLE.com", "bob");
        assertLocal(r, "\"a@b\"@example.com", "carol");
        assertKind(r, Kind.UNKNOWN, "\"al ice\"@example.com", "no such user");
        assertKind(r, Kind.UNKNOWN, "\"a/b\"@example.com", "no such user");
    }

    @Test
    public void utf8LocalPartsAndIdnDomains() throws IOException {
        Resolver r = resolver("grüße@bücher.example bob");
        assertLocal(r, "jörg@bücher.example", "jörg");
        assertLocal(r, "JÖRG@BÜCHER.EXAMPLE", "jörg");
        assertLocal(r, "jörg@xn--bcher-kva.example", "jörg");
        assertLocal(r, "\"jörg\"@XN--BCHER-KVA.example", "jörg");
        assertLocal(r, "Grüße@xn--bcher-kva.example", "bob");
        assertKind(r, Kind.FOREIGN, "jörg@bucher.example", "bucher.example");
    }

    @Test
    public void theRecipientDelimiterIsStrippedUnlessTheFullAddressExists() throws IOException {
        Resolver r = resolver("alice+lists@example.com bob", "sales@example.com carol@example.com");
        assertLocal(r, "alice+tag@example.com", "alice");
        assertLocal(r, "Alice+Tag+More@example.com", "alice");
        assertLocal(r, "alice+lists@example.com", "bob");
        assertLocal(r, "ALICE+LISTS@example.com", "bob");
        assertLocal(r, "eve+work@example.com", "eve+work");
        assertKind(r, Kind.UNKNOWN, "eve+home@example.com", "no such user");
        assertLocal(r, "sales+2026@example.com", "carol");
        assertLocal(r, "postmaster+dmarc@example.com", "postmaster");
        assertKind(r, Kind.UNKNOWN, "+alice@example.com", "no such user");
        assertKind(r, Kind.UNKNOWN, "alice-tag@example.com", "no such user");

        Resolver none = resolverWith("", "postmaster");
        assertKind(none, Kind.UNKNOWN, "alice+tag@example.com", "no such user");
        Resolver two = resolverWith("+-", "postmaster");
        assertLocal(two, "alice-tag@example.com", "alice");
        assertLocal(two, "alice+tag@example.com", "alice");
    }

    @Test
    public void aCatchAllTakesWhatNoAliasOrUserTakes() throws IOException {
        Resolver r = resolver("@example.com catchall", "info@example.com bob");
        assertLocal(r, "nobody@example.com", "catchall");
        assertLocal(r, "alice@example.com", "alice");
        assertLocal(r, "alice+x@example.com", "alice");
        assertLocal(r, "info@example.com", "bob");
        assertLocal(r, "postmaster@example.com", "postmaster");
        assertKind(r, Kind.UNKNOWN, "nobody@other.example", "no such user");
        assertFalse("a catch-all is nobody's address", r.isAddressOf("catchall", "nobody@example.com"));
        assertFalse(r.isAddressOf("alice", "nobody@example.com"));
    }

    @Test
    public void postmasterAlwaysResolves() throws IOException {
        Resolver r = resolver();
        assertLocal(r, "postmaster@example.com", "postmaster");
        assertLocal(r, "PostMaster@Other.Example", "postmaster");
        assertLocal(r, "\"postmaster\"@bücher.example", "postmaster");
        assertLocal(r, "postmaster", "postmaster");
        assertLocal(r, "  POSTMASTER ", "postmaster");
        assertKind(r, Kind.FOREIGN, "postmaster@example.org", "example.org");

        Resolver admin = resolverWith("+", "alice", "postmaster@other.example bob, carol");
        assertLocal(admin, "postmaster@example.com", "alice");
        assertLocal(admin, "postmaster", "alice");
        assertLocal(admin, "postmaster@other.example", "bob", "carol");
        assertTrue(admin.isAddressOf("alice", "postmaster@example.com"));

        Resolver primary = resolverWith("+", "alice", "postmaster@example.com bob");
        assertLocal(primary, "postmaster", "bob");

        directory = null;
        assertLocal(r, "postmaster@example.com", "postmaster");
        assertLocal(r, "postmaster", "postmaster");
    }

    @Test
    public void aliasesReachTheirUsersInFileOrderWithoutDuplicates() throws IOException {
        Resolver r = resolver(
                "team@example.com  carol, alice",
                "  bob, alice@example.com",
                "all@example.com team@example.com, dave, carol, Team@example.com",
                "ghost@example.com nobody@example.com");
        assertLocal(r, "team@example.com", "carol", "alice", "bob");
        assertLocal(r, "TEAM@Example.com", "carol", "alice", "bob");
        assertLocal(r, "all@example.com", "carol", "alice", "bob", "dave");
        assertLocal(r, "ghost@example.com", "nobody");
        assertKind(r, Kind.UNKNOWN, "team@other.example", "no such user");
    }

    @Test
    public void withoutAUserDirectoryOnlyAliasesAndPostmasterResolve() throws IOException {
        Resolver r = resolver("sales@example.com alice, bob", "@other.example catchall");
        directory = null;
        assertLocal(r, "sales@example.com", "alice", "bob");
        assertLocal(r, "postmaster@example.com", "postmaster");
        assertKind(r, Kind.UNAVAILABLE, "alice@example.com", "no user directory");
        assertKind(r, Kind.UNAVAILABLE, "sales+x@example.com", "no user directory");
        assertKind(r, Kind.UNAVAILABLE, "nobody@other.example", "no user directory");
        assertKind(r, Kind.FOREIGN, "alice@example.org", "example.org");
        assertKind(r, Kind.UNKNOWN, "alice", "no domain");
        assertFalse(r.isAddressOf("alice", "alice@example.com"));
        directory = new MemoryDirectory("alice");
        assertLocal(r, "alice@example.com", "alice");
    }

    @Test
    public void anAddressIsAUsersOnlyWhenItReachesThatUserAlone() throws IOException {
        Resolver r = resolver(
                "sales@example.com alice, bob",
                "alias@example.com alice",
                "twice@example.com alice, alice@example.com");
        assertTrue(r.isAddressOf("alice", "alice@example.com"));
        assertTrue(r.isAddressOf("alice", "Alice+tag@Example.com"));
        assertTrue(r.isAddressOf("alice", "alias@example.com"));
        assertTrue(r.isAddressOf("alice", "twice@example.com"));
        assertFalse("an alias reaching two users is neither's", r.isAddressOf("alice", "sales@example.com"));
        assertFalse(r.isAddressOf("bob", "sales@example.com"));
        assertFalse(r.isAddressOf("bob", "alice@example.com"));
        assertFalse(r.isAddressOf("alice", "alice@example.org"));
        assertFalse(r.isAddressOf("Alice", "alice@example.com"));
        assertFalse(r.isAddressOf(null, "alice@example.com"));
        assertFalse(r.isAddressOf("alice", null));
    }

    @Test
    public void whileTheAliasesFileNeverParsedOnlyPostmasterResolves() throws IOException {
        Resolver r = resolver("sales@example.com alice", "broken");
        assertKind(r, Kind.UNAVAILABLE, "alice@example.com", "aliases file");
        assertKind(r, Kind.UNAVAILABLE, "sales@example.com", "aliases file");
        assertLocal(r, "postmaster@example.com", "postmaster");
        assertKind(r, Kind.FOREIGN, "alice@example.org", "example.org");
    }
}
