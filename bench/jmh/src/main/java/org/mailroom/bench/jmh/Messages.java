package org.mailroom.bench.jmh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Generated mail as the benchmarks need it: a header block, a text part with some lines that start
 * with "." (which POP3 and SMTP dot-stuff), and, for large sizes, a base64 attachment, as a Maildir
 * file holds it (LF line ends). The same seed gives the same bytes.
 */
public final class Messages {

    private static final String[] WORDS = {
        "the", "mail", "server", "delivers", "messages", "to", "a", "Maildir", "and", "POP3", "clients", "fetch",
        "them", "later", "with", "RETR", "while", "SMTP", "accepts", "new", "ones", "over", "DATA", "quickly"
    };

    private Messages() {}

    /** A message of about {@code size} octets (never less), LF line ends. */
    public static byte[] maildirFile(int size, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(Math.min(size, 64 * 1024) + 1024);
        text.append("Return-Path: <sender@example.org>\n")
                .append("Delivered-To: alice@example.com\n")
                .append("Received: from mx.example.org (mx.example.org [192.0.2.25])\n")
                .append("\tby mail.example.com (Mailroom) with ESMTPS id 7F3A2B1C\n")
                .append("\tfor <alice@example.com>; Tue, 1 Dec 2026 09:14:07 +0000\n")
                .append("From: Sender <sender@example.org>\n")
                .append("To: Alice <alice@example.com>\n")
                .append("Subject: Quarterly figures, seed ")
                .append(seed)
                .append('\n')
                .append("Date: Tue, 1 Dec 2026 09:14:05 +0000\n")
                .append("Message-ID: <")
                .append(Long.toHexString(random.nextLong()))
                .append("@example.org>\n")
                .append("MIME-Version: 1.0\n")
                .append("Content-Type: multipart/mixed; boundary=\"b1\"\n")
                .append('\n')
                .append("--b1\n")
                .append("Content-Type: text/plain; charset=utf-8\n")
                .append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 1024);
        int textSize = size < 64 * 1024 ? size - 40 : 16 * 1024;
        int line = 0;
        while (text.length() < textSize) {
            line++;
            if (line % 25 == 0) {
                text.append("..and a line that starts with two dots\n");
            } else if (line % 40 == 0) {
                text.append(".\n");
            } else if (line % 17 == 0) {
                text.append(". starts with a dot\n");
            } else {
                int width = 40 + random.nextInt(36);
                int start = text.length();
                while (text.length() - start < width) {
                    text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                }
                text.setLength(text.length() - 1);
                text.append('\n');
            }
        }
        out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        if (size >= 64 * 1024) {
            out.writeBytes(("--b1\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
                            + "Content-Disposition: attachment; filename=\"figures.bin\"\n\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] raw = new byte[57];
            Base64.Encoder base64 = Base64.getEncoder();
            while (out.size() < size - 8) {
                random.nextBytes(raw);
                out.writeBytes(base64.encode(raw));
                out.write('\n');
            }
        }
        out.writeBytes("--b1--\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * The lines of the message as an SMTP client sends them after DATA, as the transport hands
     * them to the session: CRLF line ends taken off, lines starting with "." dot-stuffed, and
     * the final "." line last.
     */
    public static List<byte[]> dataLines(byte[] maildirFile) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < maildirFile.length; i++) {
            if (maildirFile[i] == '\n') {
                lines.add(stuffed(maildirFile, start, i));
                start = i + 1;
            }
        }
        if (start < maildirFile.length) {
            lines.add(stuffed(maildirFile, start, maildirFile.length));
        }
        lines.add(new byte[] {'.'});
        return lines;
    }

    private static byte[] stuffed(byte[] b, int from, int to) {
        boolean dot = to > from && b[from] == '.';
        byte[] line = new byte[to - from + (dot ? 1 : 0)];
        if (dot) {
            line[0] = '.';
        }
        System.arraycopy(b, from, line, dot ? 1 : 0, to - from);
        return line;
    }
}
