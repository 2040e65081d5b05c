package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** File operations the parts of the store share: the Maildir layout, private permissions, durable writes. */
final class MaildirFiles {

    /** The directories that hold messages, in the order they are scanned. */
    static final List<String> MESSAGE_DIRS = List.of("new", "cur");

    private MaildirFiles() {}

    static FileAttribute<?>[] privateDirectory() {
        return permissions("rwx------");
    }

    static FileAttribute<?>[] privateFile() {
        return permissions("rw-------");
    }

    private static FileAttribute<?>[] permissions(String posix) {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(posix))}
                : new FileAttribute<?>[0];
    }

    static void writeFully(byte[] data, int length, FileChannel out) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /** Makes the directory's entries (files created, renamed or removed in it) durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
