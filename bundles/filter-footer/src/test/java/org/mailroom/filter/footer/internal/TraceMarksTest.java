package org.mailroom.filter.footer.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.HeaderChange;
import org.mailroom.api.filter.MimeField;

/** Trace codes: made under the key, recorded, found again from what a leaked copy shows; and the session. */
public class TraceMarksTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void aCodeFromALeakedCopyLeadsBackToItsRecipientAndMessage() throws Exception {
        Path key = folder.getRoot().toPath().resolve("etc/trace.key");
        TraceMarks marks = TraceMarks.open(key, folder.getRoot().toPath().resolve("trace"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        Instant t = Instant.parse("2026-12-03T10:15:30Z");
        TraceMarks.Mark alice = marks.mark("alice@example.com", "<m1@example.com>", "k1-0", t);
        TraceMarks.Mark bob = marks.mark("bob@example.com", "<m1@example.com>", "k1-1", t);
        assertTrue(alice.code(), alice.code().matches("[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}"));
        assertNotEquals("each recipient's copy has its own code", alice.code(), bob.code());
        TraceMarks.Mark found =
                marks.find(alice.code().toLowerCase().replace("-", " ")).orElseThrow();
        assertEquals("alice@example.com", found.recipient());
        assertEquals("<m1@example.com>", found.messageId());
        assertEquals(t, found.time());
        // the same key reopened finds it; another key does not make or accept the same codes
        assertEquals(
                "k1-1",
                TraceMarks.open(key, folder.getRoot().toPath().resolve("trace"))
                        .find(bob.code())
                        .orElseThrow()
                        .key());
        Path otherKey = folder.getRoot().toPath().resolve("other.key");
        TraceMarks other = TraceMarks.open(otherKey, folder.getRoot().toPath().resolve("trace"));
        assertTrue(
                "a ledger line is only believed under its key",
                other.find(alice.code()).isEmpty());
    }

    @Test
    public void aForgedLedgerLineIsNotBelieved() throws Exception {
        Path dir = folder.getRoot().toPath().resolve("trace");
        TraceMarks marks = TraceMarks.open(folder.getRoot().toPath().resolve("k"), dir);
        TraceMarks.Mark real = marks.mark("alice@example.com", "<m@x>", "k", Instant.now());
        Files.writeString(
                dir.resolve("marks.log"),
                real.code().replace(real.code().charAt(0), real.code().charAt(0) == '0' ? '1' : '0') + "\t"
                        + real.time() + "\tmallory@example.com\t<m@x>\tk\n",
                UTF_8,
                StandardOpenOption.APPEND);
        assertTrue(marks.find(real.code()).isPresent());
        assertEquals(
                1,
                Files.readAllLines(dir.resolve("marks.log")).stream()
                        .filter(l -> l.contains("mallory"))
                        .count());
        String forged = Files.readAllLines(dir.resolve("marks.log")).get(1).split("\t")[0];
        assertTrue(marks.find(forged).isEmpty());
    }

    @Test
    public void theSessionMarksEachCopyAndLeavesSignedMailUnchanged() throws Exception {
        Path etc = folder.newFolder("etc2").toPath();
        Files.writeString(etc.resolve("footer.txt"), "Ref ${trace}", UTF_8);
        FooterSettings tag = new FooterSettings(
                etc.resolve("footer.txt"), null, null, true, true, "X-Trace", etc.resolve("k"), etc.resolve("t"));
        TraceMarks marks = TraceMarks.open(tag.traceKeyFile(), tag.traceDirectory());
        Footer footer = new Footer("Ref ${trace}", "<p>Ref ${trace}</p>", null, null);

        FooterSession plain = new FooterSession(tag, footer, marks, context("bob@example.com"));
        plain.header(new MimeField("Message-ID", "<1@x>", "<1@x>"));
        FilterVerdict v = plain.finish();
        assertEquals(1, v.rewrites().size());
        String code = v.headerChanges().get(0).value();
        assertEquals(List.of(new HeaderChange(true, "X-Trace", code)), v.headerChanges());
        assertEquals("bob@example.com", marks.find(code).orElseThrow().recipient());

        FooterSession signed = new FooterSession(tag, footer, marks, context("bob@example.com"));
        signed.header(new MimeField(
                "Content-Type", "multipart/signed; protocol=\"application/pkcs7-signature\"", "multipart/signed"));
        FilterVerdict s = signed.finish();
        assertEquals("no rewrite for signed mail", List.of(), s.rewrites());
        assertEquals("X-Mailroom-Footer", s.headerChanges().get(1).name());
    }

    private static FilterContext context(String recipient) {
        return new FilterContext() {
            public String key() {
                return "key-1";
            }

            public String sender() {
                return "a@example.org";
            }

            public String recipient() {
                return recipient;
            }

            public String user() {
                return "bob";
            }

            public long size() {
                return 0;
            }

            public java.io.InputStream message() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
