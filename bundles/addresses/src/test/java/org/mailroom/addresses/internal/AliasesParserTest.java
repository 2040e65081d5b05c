package org.mailroom.addresses.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.addresses.internal.AliasesFile.Reload;

public class AliasesParserTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final AliasesParser parser =
            new AliasesParser(Domains.parse("example.com, bücher.example"), "+", "postmaster");

    private Path write(String name, String... lines) throws IOException {
        Path file = tmp.getRoot().toPath().resolve(name);
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    private Map<String, List<String>> parse(String... lines) throws Exception {
        return parser.parse(write("aliases", lines)).aliases();
    }

    private List<String> problems(Path file) throws IOException {
        try {
            parser.parse(file);
            fail("accepted " + Files.readAllLines(file));
            return null;
        } catch (AliasesFileException e) {
            return e.lines();
        }
    }

    @Test
    public void readsThePostfixVirtualFormat() throws Exception {
        Map<String, List<String>> aliases = parse(
                "\uFEFF# a comment, with a comma",
                "",
                "Sales@Example.COM\talice,bob  carol\r",
                "   # a comment inside an alias",
                "  , dave,",
                "\t eve",
                "   ",
                "@bücher.example  catchall",
                "\"john doe\"@example.com john",
                "jörg@xn--bcher-kva.example jörg",
                "all@example.com sales@example.com, alice, frank@example.com",
                "tagged@example.com  sales+lists@example.com, frank+x@example.com",
                "abuse@example.com postmaster@example.com",
                "bob@example.com bob@example.com, archive",
                "x#y@example.com alice");
        assertEquals(List.of("alice", "bob", "carol", "dave", "eve"), aliases.get("sales@example.com"));
        assertEquals(List.of("catchall"), aliases.get("@xn--bcher-kva.example"));
        assertEquals(List.of("john"), aliases.get("john doe@example.com"));
        assertEquals(List.of("jörg"), aliases.get("jörg@xn--bcher-kva.example"));
        assertEquals(
                "aliases of aliases, file order, no duplicates, other addresses are their users",
                List.of("alice", "bob", "carol", "dave", "eve", "frank"),
                aliases.get("all@example.com"));
        assertEquals(
                "delimiter stripped from targets",
                List.of("alice", "bob", "carol", "dave", "eve", "frank"),
                aliases.get("tagged@example.com"));
        assertEquals(List.of("postmaster"), aliases.get("abuse@example.com"));
        assertEquals(
                "an alias naming itself reaches its user", List.of("bob", "archive"), aliases.get("bob@example.com"));
        assertEquals(List.of("alice"), aliases.get("x#y@example.com"));
        assertEquals(9, aliases.size());
    }

    @Test
    public void everyBadLineIsNamedWithFileAndLine() throws IOException {
        Path file = write(
                "bad-aliases",
                "  alice", // 1
                "ok@example.com alice", // 2
                "info@example.org alice", // 3
                "fwd@example.com alice@gmail.com", // 4
                "lonely@example.com", // 5
                "ok@EXAMPLE.com bob", // 6
                "info: alice", // 7
                "space@example.com \"bad user\"", // 8
                "\"open@example.com alice", // 9
                "any@example.com @example.com", // 10
                "two@example.com alice,", // 11
                "   .hidden, bob", // 12
                "a..b@example.com alice", // 13
                "x@exa_mple.com alice", // 14
                "postmaster alice", // 15
                "note@example.com alice # not a comment"); // 16
        byte[] latin1 = "caf\u00e9@example.com alice\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1, java.nio.file.StandardOpenOption.APPEND);
        List<String> problems = problems(file);
        String[] expected = {
            "1: continuation line (it starts with whitespace) without an address before it",
            "3: info@example.org: address outside the local domains",
            "4: alice@gmail.com: target outside the local domains; Mailroom has no outbound relay yet",
            "5: lonely@example.com: no target",
            "6: ok@EXAMPLE.com: duplicate address (first defined on line 2)",
            "7: info:: address must be user@domain or @domain",
            "8: \"bad user\": not a user: user name contains whitespace",
            "9: unterminated quoted string",
            "10: @example.com: a target cannot be a catch-all",
            "12: .hidden: not a user: user name starts with '.'",
            "13: a..b@example.com: misplaced '.' in the local part",
            "14: x@exa_mple.com: bad domain",
            "15: postmaster: address must be user@domain or @domain",
            "16: '#' starts a comment only at the beginning of a line",
            "17: not valid UTF-8",
        };
        assertEquals(String.join("\n", problems), expected.length, problems.size());
        for (int i = 0; i < expected.length; i++) {
            assertTrue(problems.get(i), problems.get(i).startsWith(file + ":" + expected[i]));
        }
    }

    @Test
    public void loopsAndTooDeepNestingAreBadLines() throws Exception {
        Path loop = write(
                "loop",
                "a@example.com b@example.com",
                "b@example.com a@example.com, alice",
                "c@example.com a@example.com",
                "self@example.com self+x@example.com",
                "fine@example.com alice");
        List<String> problems = problems(loop);
        assertEquals(String.join("\n", problems), 4, problems.size());
        assertEquals(
                loop + ":1: a@example.com: alias loop a@example.com -> b@example.com -> a@example.com",
                problems.get(0));
        assertTrue(problems.get(1), problems.get(1).startsWith(loop + ":2: b@example.com: alias loop"));
        assertTrue(problems.get(2), problems.get(2).startsWith(loop + ":3: c@example.com: alias loop"));
        assertTrue(
                "through the delimiter: " + problems.get(3),
                problems.get(3)
                        .startsWith(loop + ":4: self@example.com: alias loop self@example.com -> self@example.com"));

        List<String> ten = new ArrayList<>();
        for (int i = 1; i < 10; i++) {
            ten.add("a" + i + "@example.com a" + (i + 1) + "@example.com");
        }
        ten.add("a10@example.com alice");
        assertEquals(
                "10 levels are fine",
                List.of("alice"),
                parser.parse(write("ten", ten.toArray(new String[0]))).aliases().get("a1@example.com"));
        ten.add(0, "a0@example.com a1@example.com");
        List<String> eleven = problems(write("eleven", ten.toArray(new String[0])));
        assertEquals(
                List.of(tmp.getRoot().toPath().resolve("eleven")
                        + ":1: a0@example.com: aliases nested deeper than 10 levels"),
                eleven);
    }

    @Test
    public void theFileIsReadAgainOnlyWhenItChangesAndABadVersionKeepsThePrevious() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("aliases");
        AliasesFile aliases = new AliasesFile(file, parser);
        assertEquals("missing: no aliases", Reload.APPLIED, aliases.reloadIfChanged());
        assertSame(AliasTable.EMPTY, aliases.table());
        assertEquals("still missing: not warned again", Reload.UNCHANGED, aliases.reloadIfChanged());

        write("aliases", "sales@example.com alice");
        assertEquals(Reload.APPLIED, aliases.reloadIfChanged());
        assertEquals(List.of("alice"), aliases.table().get("sales", "example.com"));
        assertEquals(Reload.UNCHANGED, aliases.reloadIfChanged());

        write("aliases", "sales@example.com bob", "broken");
        bumpMtime(file);
        assertEquals(Reload.REJECTED, aliases.reloadIfChanged());
        assertEquals(
                "the previous aliases stay", List.of("alice"), aliases.table().get("sales", "example.com"));
        assertEquals("the bad version is reported once", Reload.UNCHANGED, aliases.reloadIfChanged());

        Path next = write("aliases.new", "sales@example.com bob");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Reload.APPLIED, aliases.reloadIfChanged());
        assertEquals(List.of("bob"), aliases.table().get("SALES", "example.com"));

        Files.delete(file);
        assertEquals(Reload.APPLIED, aliases.reloadIfChanged());
        assertNull("a deleted file has no aliases", aliases.table().get("sales", "example.com"));
    }

    @Test
    public void aFileThatNeverParsedLeavesNoTable() throws IOException {
        AliasesFile aliases = new AliasesFile(write("aliases", "sales@example.com"), parser);
        assertEquals(Reload.REJECTED, aliases.reloadIfChanged());
        assertNull(aliases.table());
    }

    private static void bumpMtime(Path file) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5 + (long) (Math.random() * 1000))));
    }
}
