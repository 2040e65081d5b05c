package org.mailroom.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** D/manifest.tsv: one line per message, "user TAB wireSize TAB crc32-hex TAB benchId". */
final class Manifest {
    /** What one user's mailbox holds. */
    static final class Mailbox {
        final String user;
        int count;
        long wireTotal;
        final Set<Long> keys = new HashSet<>();
        final List<String> benchIds = new ArrayList<>();

        Mailbox(String user) {
            this.user = user;
        }

        boolean contains(long wireSize, long crc) {
            return keys.contains(key(wireSize, crc));
        }
    }

    final Map<String, Mailbox> users = new LinkedHashMap<>();

    static long key(long wireSize, long crc) {
        return (wireSize << 32) ^ (crc & 0xffffffffL);
    }

    static String line(String user, long wireSize, long crc, String benchId) {
        return user + '\t' + wireSize + '\t' + String.format("%08x", crc) + '\t' + benchId + '\n';
    }

    void add(String user, long wireSize, long crc, String benchId) {
        Mailbox m = users.computeIfAbsent(user, Mailbox::new);
        m.count++;
        m.wireTotal += wireSize;
        m.keys.add(key(wireSize, crc));
        m.benchIds.add(benchId);
    }

    Mailbox mailbox(String user) {
        return users.get(user);
    }

    static Manifest read(Path file) throws IOException {
        Manifest m = new Manifest();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length < 3) {
                    throw new IOException(file + ":" + n + ": expected user, size, crc32 and bench id");
                }
                try {
                    m.add(f[0], Long.parseLong(f[1]), Long.parseLong(f[2], 16), f.length > 3 ? f[3] : "");
                } catch (NumberFormatException e) {
                    throw new IOException(file + ":" + n + ": bad number: " + e.getMessage());
                }
            }
        }
        return m;
    }
}
