package org.mailroom.filter.footer.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-recipient trace marks: a code made with HMAC-SHA256 under a secret key from the recipient,
 * the message id and the time, and a ledger (one line per mark, appended and forced to disk) that
 * turns a code found in a leaked copy back into them. A code cannot be made without the key, and
 * a ledger line is only believed when its code is the MAC of its own fields.
 */
final class TraceMarks {

    /** What a code stands for. */
    record Mark(String code, Instant time, String recipient, String messageId, String key) {}

    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford's base32
    private static final int CODE_OCTETS = 10;

    private final byte[] key;
    private final Path ledger;

    private TraceMarks(byte[] key, Path ledger) {
        this.key = key;
        this.ledger = ledger;
    }

    /**
     * The marks with the key in {@code keyFile} (64 hex digits; made, readable by the owner only,
     * if the file does not exist) and the ledger {@code marks.log} in {@code directory}.
     */
    static TraceMarks open(Path keyFile, Path directory) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Files.createDirectories(keyFile.toAbsolutePath().getParent());
            Path tmp = keyFile.resolveSibling(keyFile.getFileName() + ".tmp");
            Files.writeString(tmp, HexFormat.of().formatHex(fresh) + "\n", UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.move(tmp, keyFile);
        }
        String hex = Files.readString(keyFile, UTF_8).strip();
        byte[] key;
        try {
            key = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IOException(keyFile + ": not a key of hex digits");
        }
        if (key.length < 16) {
            throw new IOException(keyFile + ": the key is shorter than 16 octets");
        }
        Files.createDirectories(directory);
        return new TraceMarks(key, directory.resolve("marks.log"));
    }

    /** A new mark for this copy, recorded in the ledger before it is returned. */
    Mark mark(String recipient, String messageId, String deliveryKey, Instant time) throws IOException {
        Instant t = Instant.ofEpochSecond(time.getEpochSecond());
        String code = code(recipient, messageId, t);
        Mark mark = new Mark(code, t, recipient, messageId, deliveryKey);
        String line =
                String.join("\t", code, t.toString(), clean(recipient), clean(messageId), clean(deliveryKey)) + "\n";
        synchronized (this) {
            try (FileChannel ch = FileChannel.open(
                    ledger, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer octets = ByteBuffer.wrap(line.getBytes(UTF_8));
                while (octets.hasRemaining()) {
                    ch.write(octets);
                }
                ch.force(false);
            }
        }
        return mark;
    }

    /** The mark a code (as found: any case, with or without its hyphens) stands for, if the ledger has it. */
    Optional<Mark> find(String found) throws IOException {
        String wanted = normalize(found);
        if (!Files.exists(ledger)) {
            return Optional.empty();
        }
        try (BufferedReader in = Files.newBufferedReader(ledger, UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split("\t", -1);
                if (f.length == 5 && normalize(f[0]).equals(wanted)) {
                    Instant time = Instant.parse(f[1]);
                    if (MessageDigest.isEqual(
                            normalize(code(f[2], f[3], time)).getBytes(UTF_8), wanted.getBytes(UTF_8))) {
                        return Optional.of(new Mark(f[0], time, f[2], f[3], f[4]));
                    }
                }
            }
        }
        return Optional.empty();
    }

    String code(String recipient, String messageId, Instant time) {
        byte[] mac;
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac = hmac.doFinal(
                    (clean(recipient).toLowerCase(Locale.ROOT) + "\n" + clean(messageId) + "\n" + time.getEpochSecond())
                            .getBytes(UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
        StringBuilder code = new StringBuilder();
        long bits = 0;
        int count = 0;
        for (int i = 0; i < CODE_OCTETS; i++) {
            bits = bits << 8 | (mac[i] & 0xff);
            count += 8;
            while (count >= 5) {
                code.append(ALPHABET.charAt((int) (bits >> (count - 5)) & 31));
                count -= 5;
            }
        }
        return code.substring(0, 4) + "-" + code.substring(4, 8) + "-" + code.substring(8, 12) + "-"
                + code.substring(12, 16);
    }

    /** Upper case without separators; O, I and L read as the digits they look like. */
    static String normalize(String code) {
        return code.toUpperCase(Locale.ROOT)
                .replaceAll("[\\s-]", "")
                .replace('O', '0')
                .replace('I', '1')
                .replace('L', '1');
    }

    private static String clean(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ');
    }
}
