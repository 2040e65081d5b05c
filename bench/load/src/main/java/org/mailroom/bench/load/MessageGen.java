package org.mailroom.bench.load;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generated messages in Maildir form (LF line ends), of an exact size: a header block and a body
 * of printable ASCII lines of 10 to 120 characters, with empty lines and lines that start with
 * "." (so that dot-stuffing is exercised). Everything is a function of the random generator
 * handed in, so the same seed gives the same bytes.
 */
final class MessageGen {
    private static final byte[] TEXT = text();
    private static final byte[] BASE64 = base64ish();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern(
                    "EEE, d MMM yyyy HH:mm:ss xx", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    /** 2026-01-01T00:00:00Z: dates are deterministic, one per message number. */
    private static final long DATE_BASE = 1767225600L;

    private MessageGen() {}

    /** A mixing function for seeds (SplitMix64's finaliser). */
    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h ^= p;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
            h *= 0x94D049BB133111EBL;
            h ^= h >>> 29;
        }
        return h;
    }

    static long mix(long seed, String s) {
        return mix(seed, s.hashCode(), s.length());
    }

    /** The header block, blank line included. */
    static byte[] header(String to, long number, String benchId, String contentType) {
        StringBuilder h = new StringBuilder(400);
        h.append("From: Bench Sender <sender").append(number % 97).append("@bench.test>\n");
        h.append("To: <").append(to).append(">\n");
        h.append("Subject: Benchmark message ").append(benchId).append('\n');
        h.append("Date: ")
                .append(DATE.format(Instant.ofEpochSecond(DATE_BASE + number * 37)))
                .append('\n');
        h.append("Message-ID: <").append(benchId.replace('/', '.')).append("@bench.test>\n");
        h.append("X-Bench-Id: ").append(benchId).append('\n');
        h.append("MIME-Version: 1.0\n");
        h.append("Content-Type: ").append(contentType).append('\n');
        h.append('\n');
        return h.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A text message of exactly size octets (LF form), at least the header plus one line. */
    static byte[] text(SplittableRandom rnd, String to, long number, String benchId, int size) {
        byte[] header = header(to, number, benchId, "text/plain; charset=us-ascii");
        int total = Math.max(size, header.length + 1);
        byte[] m = new byte[total];
        System.arraycopy(header, 0, m, 0, header.length);
        int pos = header.length;
        while (true) {
            int remaining = total - pos;
            if (remaining <= 121) {
                pos = textLine(rnd, m, pos, remaining - 1);
                break;
            }
            int kind = rnd.nextInt(100);
            if (kind < 7) {
                m[pos++] = '\n';
            } else if (kind < 13) {
                m[pos++] = '.';
                pos = textLine(rnd, m, pos, 9 + rnd.nextInt(111));
            } else if (kind < 14) {
                // a line of only "." (would end the data if not stuffed) or ".."
                m[pos++] = '.';
                if (rnd.nextBoolean()) {
                    m[pos++] = '.';
                }
                m[pos++] = '\n';
            } else if (kind < 18) {
                pos = randomLine(rnd, m, pos, 10 + rnd.nextInt(111));
            } else {
                pos = textLine(rnd, m, pos, 10 + rnd.nextInt(111));
            }
        }
        if (pos != total) {
            throw new IllegalStateException("generated " + pos + " octets, wanted " + total);
        }
        return m;
    }

    /** A large message of exactly size octets: header, then base64-like lines of 76 characters. */
    static byte[] large(SplittableRandom rnd, String to, long number, String benchId, int size) {
        byte[] header = header(to, number, benchId, "application/octet-stream");
        int total = Math.max(size, header.length + 1);
        byte[] m = new byte[total];
        System.arraycopy(header, 0, m, 0, header.length);
        int pos = header.length;
        while (pos < total) {
            int len = Math.min(76, total - pos - 1);
            int from = rnd.nextInt(BASE64.length - 76);
            System.arraycopy(BASE64, from, m, pos, len);
            pos += len;
            m[pos++] = '\n';
        }
        return m;
    }

    /** len characters of word text, then LF; returns the new position. */
    private static int textLine(SplittableRandom rnd, byte[] m, int pos, int len) {
        if (len > 0) {
            int from = rnd.nextInt(TEXT.length - len);
            System.arraycopy(TEXT, from, m, pos, len);
            pos += len;
        }
        m[pos++] = '\n';
        return pos;
    }

    /** len random printable ASCII characters (0x20..0x7e), then LF. */
    private static int randomLine(SplittableRandom rnd, byte[] m, int pos, int len) {
        for (int i = 0; i < len; i++) {
            m[pos++] = (byte) (0x20 + rnd.nextInt(95));
        }
        m[pos++] = '\n';
        return pos;
    }

    private static byte[] text() {
        String[] words = {
            "mail",
            "server",
            "bench",
            "the",
            "of",
            "and",
            "message",
            "delivery",
            "Maildir",
            "octet",
            "queue",
            "a",
            "to",
            "in",
            "is",
            "POP3",
            "SMTP",
            "LMTP",
            "retrieve",
            "store",
            "line",
            "header",
            "body",
            "dot",
            "quick",
            "brown",
            "fox",
            "jumps",
            "over",
            "lazy",
            "dog",
            "lorem",
            "ipsum",
            "dolor",
            "sit",
            "amet",
            "2026",
            "42",
            "x-ray",
            "user@example.org",
            "(note)",
            "[ref]",
            "{json}",
            "50%",
            "#tag",
            "a+b=c",
            "semi;colon",
            "quote\"d",
            "tab-less",
            "UTF-free",
            "CRLF",
            "<angle>",
            "~tilde",
            "back\\slash"
        };
        SplittableRandom r = new SplittableRandom(20261202L);
        StringBuilder sb = new StringBuilder(1 << 17);
        while (sb.length() < (1 << 17)) {
            sb.append(words[r.nextInt(words.length)]);
            int p = r.nextInt(20);
            sb.append(p == 0 ? ". " : p == 1 ? ", " : " ");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] base64ish() {
        byte[] alphabet =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
        SplittableRandom r = new SplittableRandom(64L);
        byte[] b = new byte[1 << 16];
        for (int i = 0; i < b.length; i++) {
            b[i] = alphabet[r.nextInt(64)];
        }
        return b;
    }
}
