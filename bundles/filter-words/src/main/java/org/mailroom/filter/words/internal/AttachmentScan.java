package org.mailroom.filter.words.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.mailroom.api.filter.MimePart;

/**
 * The attachment rules over one message: for each attachment (and each part that is not text)
 * its name, decoded size, the type its first octets show against the type it claims, and, for a
 * zip archive, the names of the files inside it, nested archives included. An archive is written
 * to a temporary file while it streams by and read back when its part ends; nothing is held in
 * memory beyond the first octets of a part.
 */
final class AttachmentScan {

    /** Where a matched rule goes: the rule's index and what matched. */
    interface Matches {
        void matched(int rule, String what);
    }

    static final long MAX_ARCHIVE = 100L * 1024 * 1024;
    static final int MAX_DEPTH = 4;
    static final int MAX_ENTRIES = 10_000;
    static final long MAX_INFLATED = 1024L * 1024 * 1024;

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private final List<AttachmentCheck> checks;
    private final Matches out;
    private final boolean wantsArchives;
    private final boolean wantsType;
    private byte[] head;

    private boolean active;
    private String label;
    private MimePart part;
    private long size;
    private int headLength;
    private boolean decided;
    private Path archive;
    private OutputStream archiveOut;
    private String archiveProblem;

    AttachmentScan(List<AttachmentCheck> checks, Matches out) {
        this.checks = checks;
        this.out = out;
        this.wantsArchives = checks.stream()
                .anyMatch(c -> c.kind() == Rule.Kind.EXTENSION || c.kind() == Rule.Kind.UNREADABLE_ARCHIVE);
        this.wantsType = checks.stream().anyMatch(c -> c.kind() == Rule.Kind.TYPE || c.kind() == Rule.Kind.MISMATCH);
    }

    void start(MimePart p) {
        discardArchive();
        active = p.attachment() || !p.mimeType().startsWith("text/");
        if (!active) {
            return;
        }
        part = p;
        label = p.fileName() != null ? p.fileName() : "part " + p.path() + " (" + p.mimeType() + ")";
        size = 0;
        headLength = 0;
        decided = false;
        archiveProblem = null;
        if (head == null) {
            head = new byte[wantsType ? MediaTypes.headLength() : ZIP_MAGIC.length];
        }
        if (p.fileName() != null) {
            for (AttachmentCheck c : checks) {
                if (c.kind() == Rule.Kind.EXTENSION && c.matchesName(p.fileName())) {
                    out.matched(c.rule(), p.fileName());
                }
            }
        }
    }

    void content(byte[] octets, int offset, int length) {
        if (!active) {
            return;
        }
        size += length;
        int copied = Math.min(length, head.length - headLength);
        if (copied > 0) {
            System.arraycopy(octets, offset, head, headLength, copied);
            headLength += copied;
        }
        try {
            if (archiveOut != null) {
                write(octets, offset, length);
            } else if (!decided && headLength >= ZIP_MAGIC.length) {
                decided = true;
                if (wantsArchives && startsWithZipMagic(head)) {
                    archive = Files.createTempFile("mailroom-archive-", ".zip");
                    archiveOut = new BufferedOutputStream(Files.newOutputStream(archive), 64 * 1024);
                    write(head, 0, headLength);
                    write(octets, offset + copied, length - copied);
                }
            }
        } catch (IOException e) {
            archiveProblem = "cannot write it to a temporary file: " + e.getMessage();
            discardArchive();
        }
    }

    private void write(byte[] octets, int offset, int length) throws IOException {
        if (archiveOut == null || length == 0) {
            return;
        }
        if (size > MAX_ARCHIVE) {
            archiveProblem = "larger than " + MAX_ARCHIVE + " octets";
            discardArchive();
            return;
        }
        archiveOut.write(octets, offset, length);
    }

    /** A text extractor could not read the part (a PDF or Office document). */
    void unreadable(String reason) {
        if (!active) {
            return;
        }
        for (AttachmentCheck c : checks) {
            if (c.kind() == Rule.Kind.UNREADABLE_DOCUMENT) {
                out.matched(c.rule(), label + ": " + reason);
            }
        }
    }

    void end() {
        if (!active) {
            return;
        }
        active = false;
        String detected = wantsType ? MediaTypes.detect(head, headLength) : null;
        for (AttachmentCheck c : checks) {
            switch (c.kind()) {
                case SIZE -> {
                    if (size > c.maxSize()) {
                        out.matched(c.rule(), label + ", " + size + " octets");
                    }
                }
                case TYPE -> {
                    if (c.matchesType(detected)) {
                        out.matched(c.rule(), label + " is " + detected);
                    }
                }
                case MISMATCH -> {
                    String claim = claimedType(detected);
                    if (claim != null) {
                        out.matched(c.rule(), label + " is " + detected + ", not " + claim);
                    }
                }
                default -> {
                    // extension: at the start; unreadable-archive: below; unreadable-document: unreadable()
                }
            }
        }
        if (archive != null || archiveProblem != null) {
            String problem = archiveProblem;
            if (problem == null) {
                try {
                    archiveOut.close();
                    archiveOut = null;
                    try (InputStream in = new BufferedInputStream(Files.newInputStream(archive), 64 * 1024)) {
                        scanZip(in, label, 1, new long[2]);
                    }
                } catch (IOException e) {
                    problem = e.getMessage() == null ? e.toString() : e.getMessage();
                }
            }
            if (problem != null) {
                for (AttachmentCheck c : checks) {
                    if (c.kind() == Rule.Kind.UNREADABLE_ARCHIVE) {
                        out.matched(c.rule(), label + ": " + problem);
                    }
                }
            }
            discardArchive();
        }
    }

    /** The type the part's Content-Type or file name claims against what it is, or null if they agree. */
    private String claimedType(String detected) {
        if (MediaTypes.contradicts(detected, part.mimeType())) {
            return part.mimeType() + " as declared";
        }
        if (part.fileName() != null) {
            String byName = MediaTypes.ofName(AttachmentCheck.trimmed(part.fileName()));
            if (MediaTypes.contradicts(detected, byName)) {
                return byName + " as its name says";
            }
        }
        return null;
    }

    /**
     * Checks the names in a zip archive, and in the archives inside it.
     *
     * @param budget entries seen and octets inflated so far, over all levels
     */
    private void scanZip(InputStream in, String where, int depth, long[] budget) throws IOException {
        ZipInputStream zip = new ZipInputStream(in);
        byte[] buffer = new byte[16 * 1024];
        for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
            if (++budget[0] > MAX_ENTRIES) {
                throw new IOException("more than " + MAX_ENTRIES + " files");
            }
            String name = entry.getName();
            String path = where + "/" + name;
            String base = name.substring(name.lastIndexOf('/') + 1);
            for (AttachmentCheck c : checks) {
                if (c.kind() == Rule.Kind.EXTENSION && !base.isEmpty() && c.matchesName(base)) {
                    out.matched(c.rule(), path);
                }
            }
            if (entry.isDirectory()) {
                continue;
            }
            InputStream content = new Inflated(zip, budget);
            BufferedInputStream peek = new BufferedInputStream(content, buffer.length);
            peek.mark(ZIP_MAGIC.length);
            byte[] magic = peek.readNBytes(ZIP_MAGIC.length);
            peek.reset();
            if (startsWithZipMagic(magic)) {
                if (depth >= MAX_DEPTH) {
                    throw new IOException("archives nested more than " + MAX_DEPTH + " deep");
                }
                scanZip(peek, path, depth + 1, budget);
            }
            while (peek.read(buffer) >= 0) {
                // the rest of the entry, counted against the budget
            }
        }
    }

    private static boolean startsWithZipMagic(byte[] octets) {
        if (octets.length < ZIP_MAGIC.length) {
            return false;
        }
        for (int i = 0; i < ZIP_MAGIC.length; i++) {
            if (octets[i] != ZIP_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Drops the temporary file of an archive, if any. */
    void discardArchive() {
        try {
            if (archiveOut != null) {
                archiveOut.close();
            }
        } catch (IOException e) {
            // the file goes anyway
        }
        archiveOut = null;
        if (archive != null) {
            try {
                Files.deleteIfExists(archive);
            } catch (IOException e) {
                // the JVM's temporary folder; nothing else to do
            }
            archive = null;
        }
    }

    /** An entry's inflated octets, counted against the budget; closing it leaves the archive open. */
    private static final class Inflated extends FilterInputStream {
        private final long[] budget;

        Inflated(InputStream zip, long[] budget) {
            super(zip);
            this.budget = budget;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) throws IOException {
            budget[1] += n;
            if (budget[1] > MAX_INFLATED) {
                throw new IOException("more than " + MAX_INFLATED + " octets unpacked");
            }
        }

        @Override
        public void close() {
            // the entry ends with the next getNextEntry
        }
    }
}
