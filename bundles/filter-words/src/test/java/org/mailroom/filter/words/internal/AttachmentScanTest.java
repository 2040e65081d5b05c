package org.mailroom.filter.words.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;

/** The attachment rules over parts as the delivery chain hands them to the filter. */
public class AttachmentScanTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private static final Settings SETTINGS = new Settings(
            Path.of("unused"), new Folding(true, true, false), "Message refused by the attachment policy", "X-A", 2);

    /** The start of a Windows program: "MZ", and the PE header Tika's magic looks for. */
    private static final byte[] PROGRAM = program();

    private static final byte[] PDF =
            "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".getBytes(UTF_8);

    @Test
    public void aForbiddenExtensionRejectsWhateverTheCaseAndTrailingDots() throws Exception {
        Rules rules = rules("reject extension exe,scr\n");
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(rules, part("report.pdf", "application/pdf", PDF)).action());
        FilterVerdict v = run(rules, part("Invoice.PDF.Exe. ", "application/octet-stream", PROGRAM));
        assertEquals(FilterVerdict.Action.REJECT, v.action());
        assertEquals("550 5.7.1 Message refused by the attachment policy (rule at line 1)", v.reply());
        assertTrue(v.reason(), v.reason().contains("Invoice.PDF.Exe. "));
    }

    @Test
    public void aForbiddenFileInsideAZipInsideAZipIsFound() throws Exception {
        byte[] inner = zip(
                List.of(new Entry("docs/readme.txt", "hello".getBytes(UTF_8)), new Entry("tools/setup.scr", PROGRAM)));
        byte[] outer = zip(List.of(new Entry("photos/a.jpg", new byte[100]), new Entry("more.zip", inner)));
        Rules rules = rules("quarantine extension scr\n");
        FilterVerdict v = run(rules, part("holiday.zip", "application/zip", outer));
        assertEquals(FilterVerdict.Action.QUARANTINE, v.action());
        assertTrue(v.reason(), v.reason().contains("holiday.zip/more.zip/tools/setup.scr"));
        byte[] clean = zip(List.of(new Entry("a.txt", "x".getBytes(UTF_8))));
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(rules, part("clean.zip", "application/zip", clean)).action());
        // a zip sent under another name is still looked into
        assertEquals(
                FilterVerdict.Action.QUARANTINE,
                run(rules, part("data.bin", "application/octet-stream", outer)).action());
        assertEquals("no archive left behind", List.of(), leftArchives());
    }

    @Test
    public void anEncryptedOrDamagedZipIsUnreadable() throws Exception {
        byte[] archive = zip(List.of(new Entry("secret.docx", "secret".getBytes(UTF_8))));
        byte[] encrypted = archive.clone();
        encrypted[6] |= 1; // general purpose flag, bit 0: encrypted (local header)
        Rules rules = rules("quarantine unreadable-archive\n");
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(rules, part("a.zip", "application/zip", archive)).action());
        FilterVerdict v = run(rules, part("a.zip", "application/zip", encrypted));
        assertEquals(FilterVerdict.Action.QUARANTINE, v.action());
        assertTrue(v.reason(), v.reason().contains("encrypted"));
        byte[] damaged = java.util.Arrays.copyOf(archive, 40);
        assertEquals(
                FilterVerdict.Action.QUARANTINE,
                run(rules, part("b.zip", "application/zip", damaged)).action());
    }

    @Test
    public void aDocumentsExtractedTextIsMatchedAndOneThatCannotBeReadIsCaught() throws Exception {
        Rules rules = rules("quarantine unreadable-document\nreject/2 cn-id\n");
        MimePart pdf = new Part("form.pdf", "application/pdf");
        WordsSession read = new WordsSession(rules, SETTINGS);
        read.startPart(pdf);
        read.content(pdf, "%PDF-1.7".getBytes(UTF_8), 0, 8);
        read.text(pdf, "ID 11010519491231002X, spouse 440300199001011238\n");
        read.endPart(pdf);
        assertEquals(
                "IDs in the text the extractor found",
                FilterVerdict.Action.REJECT,
                read.finish().action());

        WordsSession locked = new WordsSession(rules, SETTINGS);
        locked.startPart(pdf);
        locked.content(pdf, "%PDF-1.7".getBytes(UTF_8), 0, 8);
        locked.unreadable(pdf, "the document is encrypted");
        locked.endPart(pdf);
        FilterVerdict v = locked.finish();
        assertEquals(FilterVerdict.Action.QUARANTINE, v.action());
        assertTrue(v.reason(), v.reason().contains("form.pdf: the document is encrypted"));
    }

    @Test
    public void theDetectedTypeAndItsMismatchWithTheDeclaredOneOrTheName() throws Exception {
        Rules rules = rules("reject type application/x-msdownload\nquarantine mismatch\n");
        FilterVerdict program = run(rules, part("setup.bin", "application/octet-stream", PROGRAM));
        assertEquals(program.reason(), FilterVerdict.Action.REJECT, program.action());
        Rules mismatch = rules("quarantine mismatch\n");
        FilterVerdict declared = run(mismatch, part(null, "application/pdf", PROGRAM));
        assertEquals(FilterVerdict.Action.QUARANTINE, declared.action());
        assertTrue(declared.reason(), declared.reason().contains("not application/pdf as declared"));
        FilterVerdict named = run(mismatch, part("invoice.pdf", "application/octet-stream", PROGRAM));
        assertEquals(FilterVerdict.Action.QUARANTINE, named.action());
        assertTrue(named.reason(), named.reason().contains("as its name says"));
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(mismatch, part("invoice.pdf", "application/pdf", PDF)).action());
        // a .docx is a zip, and the zip's magic is all that detection sees: no mismatch
        byte[] docx = zip(List.of(new Entry("[Content_Types].xml", "<Types/>".getBytes(UTF_8))));
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(
                                mismatch,
                                part(
                                        "cv.docx",
                                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                        docx))
                        .action());
        // image/jpg is an alias of image/jpeg
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(mismatch, part("a.jpg", "image/jpg", jpeg)).action());
    }

    @Test
    public void sizeCountsDecodedOctetsAndCountsFilesAgainstTheThreshold() throws Exception {
        Rules rules = rules("reject size 1k\ntag/2 extension txt\n");
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(rules, part("a.bin", "application/octet-stream", new byte[1024]))
                        .action());
        assertEquals(
                FilterVerdict.Action.REJECT,
                run(rules, part("a.bin", "application/octet-stream", new byte[1025]))
                        .action());
        byte[] two = zip(List.of(new Entry("a.txt", new byte[1]), new Entry("b.txt", new byte[1])));
        FilterVerdict tagged = run(rules, part("t.zip", "application/zip", two));
        assertEquals(FilterVerdict.Action.ACCEPT, tagged.action());
        assertEquals(List.of(new org.mailroom.api.filter.HeaderChange(true, "X-A", "line 2")), tagged.headerChanges());
    }

    @Test
    public void badAttachmentRulesAreReportedWithTheirLine() throws Exception {
        Path file = folder.getRoot().toPath().resolve("bad.rules");
        Files.writeString(file, "reject size ten\nreject type exe\nreject mismatch pdf\nreject extension .\n", UTF_8);
        try {
            RulesParser.parse(file, new Folding(true, true, false));
            throw new AssertionError("parsed");
        } catch (RulesException e) {
            List<String> p = e.problems();
            assertEquals(p.toString(), 4, p.size());
            assertTrue(p.get(0), p.get(0).startsWith(file + ":1: expected a size like 10M"));
            assertTrue(p.get(1), p.get(1).startsWith(file + ":2: expected a media type"));
            assertTrue(p.get(2), p.get(2).startsWith(file + ":3: mismatch takes no pattern"));
            assertTrue(p.get(3), p.get(3).startsWith(file + ":4: expected extensions"));
        }
    }

    // ---- helpers

    private record Entry(String name, byte[] content) {}

    private record Attachment(MimePart part, byte[] content) {}

    private static byte[] zip(List<Entry> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Entry e : entries) {
                zip.putNextEntry(new ZipEntry(e.name()));
                zip.write(e.content());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] program() {
        byte[] p = new byte[512];
        p[0] = 'M';
        p[1] = 'Z';
        p[0x3c] = (byte) 0x80;
        p[0x80] = 'P';
        p[0x81] = 'E';
        return p;
    }

    private List<Path> leftArchives() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("mailroom-archive-"))
                    .toList();
        }
    }

    private Rules rules(String text) throws IOException, RulesException {
        Path file = folder.getRoot().toPath().resolve("test.rules");
        Files.writeString(file, text, UTF_8);
        return RulesParser.parse(file, new Folding(true, true, false)).rules();
    }

    private static Attachment part(String name, String type, byte[] content) {
        return new Attachment(new Part(name, type), content);
    }

    /** Feeds the session as the chain does: a text body, then the attachment's octets in chunks of 7. */
    private static FilterVerdict run(Rules rules, Attachment attachment) {
        WordsSession s = new WordsSession(rules, SETTINGS);
        s.header(new MimeField("Subject", "files", "files"));
        MimePart body = new Part(null, "text/plain");
        s.startPart(body);
        s.text(body, "see attached");
        s.endPart(body);
        MimePart part = attachment.part();
        byte[] content = attachment.content();
        s.startPart(part);
        for (int i = 0; i < content.length; i += 7) {
            s.content(part, content, i, Math.min(7, content.length - i));
        }
        s.endPart(part);
        return s.finish();
    }

    private record Part(String fileName, String mimeType) implements MimePart {
        public String path() {
            return fileName == null && mimeType.startsWith("text/") ? "1" : "2";
        }

        public String charset() {
            return mimeType.startsWith("text/") ? "utf-8" : null;
        }

        public boolean attachment() {
            return fileName != null;
        }

        public List<MimeField> headers() {
            return List.of();
        }
    }
}
