package org.mailroom.spool.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Durable file operations of the spool: private files, forced to disk when fsync is on. */
final class SpoolFiles {

    private SpoolFiles() {}

    static FileAttribute<?>[] privateFile() {
        return posix("rw-------");
    }

    static FileAttribute<?>[] privateDirectory() {
        return posix("rwx------");
    }

    private static FileAttribute<?>[] posix(String permissions) {
        Set<String> views = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews();
        return views.contains("posix")
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
                }
                : new FileAttribute<?>[0];
    }

    /** Writes a whole file under a temporary name and renames it into place. */
    static void replace(Path file, byte[] content, boolean fsync) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        write(temp, content, fsync);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            fsyncDirectory(file.getParent());
        }
    }

    /** Creates a new file with this content; fails if it exists. */
    static void write(Path file, byte[] content, boolean fsync) throws IOException {
        try (FileChannel out = FileChannel.open(
                file,
                EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                privateFile())) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            if (fsync) {
                out.force(true);
            }
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for reading; rename is still atomic there.
            if (Files.isDirectory(dir)) {
                return;
            }
            throw e;
        }
    }

    /** Deletes a directory and the files in it (the spool's message directories are flat). */
    static void deleteDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }
}
