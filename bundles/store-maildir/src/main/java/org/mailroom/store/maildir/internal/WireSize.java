package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The size of a message in wire form, where every LF not preceded by CR on disk counts as CRLF. */
final class WireSize {

    private static final int BUFFER_SIZE = 64 * 1024;

    private WireSize() {}

    /**
     * The wire size of the first {@code length} bytes of {@code data}; {@code previousCr} tells
     * whether the byte before them was CR.
     */
    static long of(byte[] data, int length, boolean previousCr) {
        long size = length;
        boolean cr = previousCr;
        for (int i = 0; i < length; i++) {
            byte c = data[i];
            if (c == '\n' && !cr) {
                size++;
            }
            cr = c == '\r';
        }
        return size;
    }

    /** The wire size of the file, read to its end. */
    static long scan(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            return scan(in);
        }
    }

    /** The wire size of what the stream yields, read to its end. */
    static long scan(InputStream in) throws IOException {
        byte[] buffer = new byte[BUFFER_SIZE];
        long size = 0;
        boolean previousCr = false;
        int r;
        while ((r = in.read(buffer)) >= 0) {
            size += of(buffer, r, previousCr);
            if (r > 0) {
                previousCr = buffer[r - 1] == '\r';
            }
        }
        return size;
    }
}
