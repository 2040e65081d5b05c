package org.mailroom.filter.clamav.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.mailroom.api.filter.FilterContext;

/** Deliveries for the tests: a message from memory or generated, never held whole. */
final class TestMessages {

    private TestMessages() {}

    static FilterContext context(String key, long size, Supplier<InputStream> message) {
        return new FilterContext() {
            @Override
            public String key() {
                return key;
            }

            @Override
            public String sender() {
                return "sender@example.org";
            }

            @Override
            public String recipient() {
                return "bob@example.com";
            }

            @Override
            public String user() {
                return "bob";
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream message() {
                return message.get();
            }
        };
    }

    static FilterContext context(String key, String message) {
        byte[] octets = message.getBytes(US_ASCII);
        return context(key, octets.length, () -> new ByteArrayInputStream(octets));
    }

    /** A message of exactly {@code size} octets: a header, then lines of text made up as they are read. */
    static InputStream generated(long size) {
        byte[] head = "Subject: big\r\n\r\n".getBytes(US_ASCII);
        return new InputStream() {
            private long at;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - at);
                for (int i = 0; i < n; i++, at++) {
                    b[off + i] = at < head.length
                            ? head[(int) at]
                            : at % 64 == 62 ? (byte) '\r' : at % 64 == 63 ? (byte) '\n' : (byte) ('a' + at % 26);
                }
                return n;
            }
        };
    }

    /** Configuration properties as a cfg file gives them: strings. */
    static Map<String, Object> config(String address, String... keysAndValues) {
        Map<String, Object> p = new HashMap<>();
        p.put("address", address);
        p.put("felix.fileinstall.filename", "file:/etc/org.mailroom.filter.clamav.cfg");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }
}
