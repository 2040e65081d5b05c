package org.mailroom.bench.load;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class FillTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path fill(String dir, String seed) {
        Path d = tmp.getRoot().toPath().resolve(dir);
        Run r = Run.main(
                "fill",
                "--dir",
                d.toString(),
                "--users",
                "3",
                "--messages",
                "7",
                "--min-kb",
                "1",
                "--max-kb",
                "6",
                "--seed",
                seed,
                "--large-mb",
                "1");
        assertEquals(r.toString(), 0, r.status);
        assertEquals("true", r.field("verified"));
        return d;
    }

    /** Size and CRC of the wire form, computed independently of Wire (LF -> CRLF by string replace). */
    private static String wireKey(byte[] file) {
        byte[] wire = new String(file, StandardCharsets.ISO_8859_1)
                .replace("\n", "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        CRC32 c = new CRC32();
        c.update(wire);
        return wire.length + "\t" + String.format("%08x", c.getValue());
    }

    @Test
    public void manifestMatchesTheFiles() throws Exception {
        Path d = fill("a", "1");
        List<String> lines = Files.readAllLines(d.resolve("manifest.tsv"));
        assertEquals(3 * 7 + 1, lines.size());
        Map<String, Integer> perUser = new HashMap<>();
        Pattern name = Pattern.compile("[0-9]+\\.M[0-9]+P[0-9]+Q[0-9]+\\.bench,S=([0-9]+),W=([0-9]+):2,");
        for (String user : List.of("load0", "load1", "load2", "big")) {
            List<Path> files;
            try (Stream<Path> s = Files.list(d.resolve(user).resolve("cur"))) {
                files = s.sorted().collect(Collectors.toList());
            }
            assertTrue(Files.isDirectory(d.resolve(user).resolve("new")));
            assertTrue(Files.isDirectory(d.resolve(user).resolve("tmp")));
            for (Path f : files) {
                byte[] b = Files.readAllBytes(f);
                Matcher m = name.matcher(f.getFileName().toString());
                assertTrue(f.toString(), m.matches());
                assertEquals(b.length, Long.parseLong(m.group(1)));
                String key = wireKey(b);
                assertEquals(Long.parseLong(key.split("\t")[0]), Long.parseLong(m.group(2)));
                String text = new String(b, StandardCharsets.ISO_8859_1);
                Matcher id = Pattern.compile("\nX-Bench-Id: (\\S+)\n").matcher(text);
                assertTrue(id.find());
                assertTrue(lines.contains(user + "\t" + key + "\t" + id.group(1)));
                assertTrue(text.contains("\nMIME-Version: 1.0\n") && text.contains("\nMessage-ID: <"));
                assertTrue(b[b.length - 1] == '\n');
                assertTrue("no CR in Maildir files", text.indexOf('\r') < 0);
                perUser.merge(user, 1, Integer::sum);
                if (!user.equals("big")) {
                    assertTrue(b.length >= 1024 && b.length <= 6 * 1024);
                    String body = text.substring(text.indexOf("\n\n") + 2);
                    for (String line : body.split("\n", -1)) {
                        assertTrue(line, line.length() <= 121);
                        for (char c : line.toCharArray()) {
                            assertTrue(c >= 0x20 && c < 0x7f);
                        }
                    }
                } else {
                    assertEquals(1024 * 1024, b.length);
                }
            }
        }
        assertEquals(Map.of("load0", 7, "load1", 7, "load2", 7, "big", 1), perUser);
    }

    @Test
    public void sameSeedSameMail() throws Exception {
        Path a = fill("a", "5");
        Path b = fill("b", "5");
        Path c = fill("c", "6");
        String ma = Files.readString(a.resolve("manifest.tsv"));
        assertEquals(ma, Files.readString(b.resolve("manifest.tsv")));
        assertNotEquals(ma, Files.readString(c.resolve("manifest.tsv")));
        // a second fill into the same place replaces the old mailboxes
        fill("a", "5");
        try (Stream<Path> s = Files.list(a.resolve("load0").resolve("cur"))) {
            assertEquals(7, s.count());
        }
    }

    @Test
    public void bodiesExerciseDotStuffing() {
        int dotLines = 0;
        int empty = 0;
        for (int n = 0; n < 20; n++) {
            byte[] m = MessageGen.text(new java.util.SplittableRandom(n), "u@x", n, "u/" + n, 20_000);
            assertEquals(20_000, m.length);
            for (String l : new String(m, StandardCharsets.ISO_8859_1).split("\n")) {
                if (l.startsWith(".")) {
                    dotLines++;
                }
                if (l.isEmpty()) {
                    empty++;
                }
            }
        }
        assertTrue(dotLines > 100);
        assertTrue(empty > 100);
    }
}
