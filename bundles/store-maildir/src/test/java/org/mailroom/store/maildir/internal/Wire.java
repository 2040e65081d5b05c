package org.mailroom.store.maildir.internal;

import java.io.ByteArrayOutputStream;

/** The expected transformations, written independently of the code under test. */
final class Wire {

    private Wire() {}

    /** What the store keeps on disk: CRLF becomes LF, bare CR stays. */
    static byte[] disk(byte[] input) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(input.length);
        for (int i = 0; i < input.length; i++) {
            if (input[i] == '\r' && i + 1 < input.length && input[i + 1] == '\n') {
                continue;
            }
            out.write(input[i]);
        }
        return out.toByteArray();
    }

    /** Wire form of disk content: every LF not preceded by CR becomes CRLF. */
    static byte[] fromDisk(byte[] disk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(disk.length + disk.length / 16);
        for (int i = 0; i < disk.length; i++) {
            if (disk[i] == '\n' && (i == 0 || disk[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(disk[i]);
        }
        return out.toByteArray();
    }

    static byte[] of(byte[] input) {
        return fromDisk(disk(input));
    }
}
