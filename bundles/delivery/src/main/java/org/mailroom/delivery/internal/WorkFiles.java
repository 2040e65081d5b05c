package org.mailroom.delivery.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The work folder of deliveries (rewritten copies, spooled attachments); the JVM's temporary folder when none is set. */
final class WorkFiles {

    private static final Logger LOG = LoggerFactory.getLogger(WorkFiles.class);

    private final String folder;

    WorkFiles(String folder) {
        this.folder = folder;
    }

    Path create(String prefix, String suffix) throws IOException {
        if (folder.isEmpty()) {
            return Files.createTempFile("mailroom-" + prefix, suffix);
        }
        return Files.createTempFile(Files.createDirectories(Path.of(folder)), prefix, suffix);
    }

    void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete the work file {}: {}", file, e.toString());
        }
    }
}
