package org.mailroom.extract.tika.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.hslf.usermodel.HSLFSlideShow;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFTextBox;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;

/** Documents made by PDFBox and POI in the test, read back through the extractor as the delivery service calls it. */
public class TikaExtractorTest {

    private static final String ID = "11010519491231002X";
    private static final String CARD = "6222021234567890128";

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final TikaExtractor extractor = new TikaExtractor();

    {
        extractor.activate(Map.of());
    }

    @After
    public void stop() throws InterruptedException {
        extractor.deactivate();
    }

    @Test
    public void aPdfsTextComesOutWhateverThePartDeclares() throws Exception {
        Path pdf = pdf("Applicant ID " + ID, "Card " + CARD);
        MimePart part = part("application/octet-stream", "scan.bin");
        assertTrue(reads(part, pdf));
        String text = extract(part, pdf);
        assertTrue(text, text.contains("Applicant ID " + ID));
        assertTrue(text, text.contains("Card " + CARD));
    }

    @Test
    public void wordExcelAndPowerPointTextComesOutInBothOfficeFormats() throws Exception {
        Path docx = file("a.docx", out -> {
            try (XWPFDocument doc = new XWPFDocument()) {
                doc.createParagraph().createRun().setText("Resident ID " + ID + " in a docx");
                doc.write(out);
            }
        });
        Path xlsx = file("b.xlsx", out -> workbook(new XSSFWorkbook(), out));
        Path xls = file("c.xls", out -> workbook(new HSSFWorkbook(), out));
        Path pptx = file("d.pptx", out -> {
            try (XMLSlideShow show = new XMLSlideShow()) {
                XSLFTextBox box = show.createSlide().createTextBox();
                box.setText("Slide with " + CARD);
                show.write(out);
            }
        });
        Path ppt = file("e.ppt", out -> {
            try (HSLFSlideShow show = new HSLFSlideShow()) {
                show.createSlide().createTextBox().setText("Old slide with " + CARD);
                show.write(out);
            }
        });
        MimePart unnamed = part("application/octet-stream", null);
        assertTrue(
                "an OOXML file is told by its [Content_Types].xml, without a name",
                extract(unnamed, docx).contains("Resident ID " + ID + " in a docx"));
        for (Path sheet : List.of(xlsx, xls)) {
            String text = extract(unnamed, sheet);
            assertTrue(sheet + ": " + text, text.contains(ID) && text.contains(CARD));
        }
        assertTrue(extract(unnamed, pptx).contains("Slide with " + CARD));
        assertTrue(extract(unnamed, ppt).contains("Old slide with " + CARD));
    }

    @Test
    public void imagesZipsAndTextAreNotRead() throws Exception {
        Path png = folder.newFile("x.png").toPath();
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        Path zip = file("y.zip", out -> {
            try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
                z.putNextEntry(new java.util.zip.ZipEntry("notes.txt"));
                z.write("hello".getBytes(UTF_8));
            }
        });
        assertFalse(reads(part("image/png", "x.png"), png));
        assertFalse(reads(part("application/zip", "y.zip"), zip));
        assertFalse(reads(
                part("application/pdf", "z.pdf"),
                Files.writeString(folder.newFile().toPath(), "hello")));
    }

    @Test
    public void formatsSaysWhichDocumentsAreRead() throws Exception {
        extractor.modified(Map.of("formats", "office"));
        assertFalse(reads(part("application/pdf", "a.pdf"), pdf("x")));
        extractor.modified(Map.of("formats", "pdf, spreadsheets"));
        assertFalse("a bad edit keeps the previous settings", reads(part("application/pdf", "a.pdf"), pdf("x")));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new TikaExtractor()
                        .activate(Map.of(
                                "formats", "pdf, spreadsheets",
                                "felix.fileinstall.filename", "etc/org.mailroom.extract.tika.cfg")));
        assertEquals(
                "Bad configuration in etc/org.mailroom.extract.tika.cfg: key formats: 'spreadsheets' is not pdf or office",
                e.getMessage());
    }

    @Test
    public void anEncryptedPdfIsReportedAsSuch() throws Exception {
        Path pdf = folder.newFile("locked.pdf").toPath();
        try (PDDocument doc = document("Secret " + ID)) {
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner", "user", new AccessPermission());
            policy.setEncryptionKeyLength(256);
            doc.protect(policy);
            doc.save(pdf.toFile());
        }
        IOException e = assertThrows(IOException.class, () -> extract(part("application/pdf", "locked.pdf"), pdf));
        assertEquals("the document is encrypted", e.getMessage());
    }

    @Test
    public void aDamagedDocumentIsReportedAndTextBeyondMaxCharactersIsNot() throws Exception {
        Path broken = folder.newFile("broken.pdf").toPath();
        Files.writeString(broken, "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> garbage", UTF_8);
        IOException damaged = assertThrows(IOException.class, () -> extract(part("application/pdf", null), broken));
        assertTrue(damaged.getMessage(), damaged.getMessage().startsWith("the document is damaged"));

        extractor.modified(Map.of("maxCharacters", "20"));
        StringBuilder seen = new StringBuilder();
        Path pdf = pdf("The first line is longer than twenty characters");
        IOException limited = assertThrows(
                IOException.class, () -> extractor.extract(part("application/pdf", null), pdf, seen::append));
        assertEquals("more than 20 characters of text (maxCharacters): the rest is not read", limited.getMessage());
        assertEquals("the text up to the limit is handed over", 20, seen.length());

        extractor.modified(Map.of("maxSize", "100"));
        IOException large = assertThrows(IOException.class, () -> extract(part("application/pdf", null), pdf));
        assertTrue(large.getMessage(), large.getMessage().contains("more than maxSize 100: not read"));
    }

    @Test
    public void aDocumentNotReadWithinTheTimeoutIsGivenUpOn() throws Exception {
        // A FIFO nobody writes: opening it blocks the parse thread until the test lets it go.
        Path fifo = folder.getRoot().toPath().resolve("stuck.pdf");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path pdf = pdf("x");
        long start = System.nanoTime();
        IOException e;
        try {
            e = assertThrows(
                    IOException.class,
                    () -> DocumentText.read(
                            Documents.PDF, null, fifo, settingsWith("timeoutSeconds", "1"), executor, s -> {}));
        } finally {
            try (OutputStream release = Files.newOutputStream(fifo)) {
                release.write(Files.readAllBytes(pdf));
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("the document was not read within 1 s (timeoutSeconds)", e.getMessage());
        assertTrue("gave up after " + millis + " ms", millis >= 1000 && millis < 10_000);
    }

    // ---- helpers

    private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool();

    @After
    public void stopExecutor() {
        executor.shutdownNow();
    }

    private static ExtractorSettings settingsWith(String key, String value) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(key, value);
        return ExtractorSettings.of(properties);
    }

    private interface Writing {
        void to(OutputStream out) throws IOException;
    }

    private Path file(String name, Writing writing) throws IOException {
        Path file = folder.getRoot().toPath().resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            writing.to(out);
        }
        return file;
    }

    private static void workbook(Workbook workbook, OutputStream out) throws IOException {
        try (workbook) {
            Sheet sheet = workbook.createSheet("customers");
            Row row = sheet.createRow(0);
            row.createCell(0).setCellValue(ID);
            row.createCell(1).setCellValue(CARD);
            workbook.write(out);
        }
    }

    private Path pdf(String... lines) throws IOException {
        Path file = Files.createTempFile(folder.getRoot().toPath(), "doc", ".pdf");
        try (PDDocument doc = document(lines)) {
            doc.save(file.toFile());
        }
        return file;
    }

    private static PDDocument document(String... lines) throws IOException {
        PDDocument doc = new PDDocument();
        PDPage page = new PDPage();
        doc.addPage(page);
        try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
            content.beginText();
            content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
            content.newLineAtOffset(72, 700);
            for (String line : lines) {
                content.showText(line);
                content.newLineAtOffset(0, -16);
            }
            content.endText();
        }
        return doc;
    }

    private boolean reads(MimePart part, Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        int n = Math.min(content.length, org.mailroom.api.filter.TextExtractor.HEAD);
        return extractor.reads(part, java.util.Arrays.copyOf(content, org.mailroom.api.filter.TextExtractor.HEAD), n);
    }

    private String extract(MimePart part, Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        extractor.extract(part, file, text::append);
        return text.toString();
    }

    private static MimePart part(String type, String name) {
        return new Part("2", type, null, name, true, List.of());
    }

    private record Part(
            String path, String mimeType, String charset, String fileName, boolean attachment, List<MimeField> headers)
            implements MimePart {}
}
