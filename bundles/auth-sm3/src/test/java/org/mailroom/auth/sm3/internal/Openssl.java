package org.mailroom.auth.sm3.internal;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mailroom.testing.RequiredTool;

/** Debian's openssl as the independent implementation of SM3 the schemes are checked against. */
final class Openssl {

    private Openssl() {}

    static byte[] run(byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(RequiredTool.require("openssl", "openssl").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream o = p.getInputStream()) {
            o.transferTo(out);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("openssl did not finish: " + command);
        }
        assertEquals(command + ": " + out.toString(StandardCharsets.UTF_8), 0, p.exitValue());
        return out.toByteArray();
    }

    /** {@code openssl kdf ... PBKDF2} with SM3, the key as hex. */
    static String pbkdf2Sm3(String password, String salt, int rounds, int keyBytes)
            throws IOException, InterruptedException {
        String out = new String(
                run(
                        new byte[0],
                        "kdf",
                        "-keylen",
                        String.valueOf(keyBytes),
                        "-kdfopt",
                        "digest:SM3",
                        "-kdfopt",
                        "hexpass:" + hex(password.getBytes(StandardCharsets.UTF_8)),
                        "-kdfopt",
                        "hexsalt:" + hex(salt.getBytes(StandardCharsets.UTF_8)),
                        "-kdfopt",
                        "iter:" + rounds,
                        "PBKDF2"),
                StandardCharsets.US_ASCII);
        return out.trim().replace(":", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code openssl dgst -sm3 -binary} of the bytes. */
    static byte[] sm3(byte[] data) throws IOException, InterruptedException {
        return run(data, "dgst", "-sm3", "-binary");
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
