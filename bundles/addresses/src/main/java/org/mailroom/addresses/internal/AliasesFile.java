package org.mailroom.addresses.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aliases file and its current table. A version is read once, when the file's modification
 * time, size or identity changed; it is applied only if every line is good, else each bad line is
 * logged once and the previous table stays. A missing file has no aliases.
 */
final class AliasesFile {

    enum Reload {
        /** Not read: the file did not change since the last attempt. */
        UNCHANGED,
        /** A new table is in force (empty if the file is missing). */
        APPLIED,
        /** The file changed but does not parse; the previous table stays. */
        REJECTED
    }

    private static final Logger LOG = LoggerFactory.getLogger(AliasesFile.class);

    private record Stamp(Instant modified, long size, Object key) {
        static Stamp of(Path file) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(a.lastModifiedTime().toInstant(), a.size(), a.fileKey());
            } catch (NoSuchFileException e) {
                return null;
            }
        }
    }

    private final Path file;
    private final AliasesParser parser;
    private volatile AliasTable current;
    private boolean attempted;
    private Stamp lastAttempt;

    AliasesFile(Path file, AliasesParser parser) {
        this.file = file;
        this.parser = parser;
    }

    Path file() {
        return file;
    }

    /** The table in force, or null while the file exists and no version of it has parsed. */
    AliasTable table() {
        return current;
    }

    synchronized Reload reloadIfChanged() {
        Stamp stamp;
        try {
            stamp = Stamp.of(file);
        } catch (IOException e) {
            LOG.error("Aliases file {}: cannot read its attributes: {}", file, e.toString());
            return Reload.UNCHANGED;
        }
        if (attempted && Objects.equals(stamp, lastAttempt)) {
            return Reload.UNCHANGED;
        }
        attempted = true;
        lastAttempt = stamp;
        try {
            AliasTable table = parser.parse(file);
            current = table;
            LOG.info("Aliases file {}: loaded {} aliases", file, table.aliases().size());
            return Reload.APPLIED;
        } catch (NoSuchFileException e) {
            current = AliasTable.EMPTY;
            LOG.warn("Aliases file {} does not exist: no aliases", file);
            return Reload.APPLIED;
        } catch (AliasesFileException e) {
            e.lines().forEach(line -> LOG.warn("{}", line));
            LOG.error("Aliases file {}: {} bad lines; {}", file, e.lines().size(), keeping());
        } catch (IOException e) {
            LOG.error("Aliases file {}: {}; {}", file, e.toString(), keeping());
        }
        return Reload.REJECTED;
    }

    private String keeping() {
        AliasTable c = current;
        return c == null
                ? "no aliases are loaded: local addresses are answered as temporarily unavailable"
                : "keeping the previous " + c.aliases().size() + " aliases";
    }
}
