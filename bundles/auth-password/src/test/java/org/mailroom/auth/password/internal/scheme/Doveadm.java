package org.mailroom.auth.password.internal.scheme;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;

/** Runs Dovecot's doveadm: required when CI is set, otherwise the test is skipped without it. */
final class Doveadm {

    record Result(int exit, String out) {
    }

    private Doveadm() {
    }

    static void assumeAvailable() {
        boolean present = Files.isExecutable(Paths.get("/usr/bin/doveadm"));
        if (!present && System.getenv("CI") != null) {
            fail("doveadm is required in CI (apt-get install dovecot-core)");
        }
        Assume.assumeTrue("doveadm not installed", present);
    }

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("/usr/bin/doveadm");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        assertTrue("doveadm timed out", p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8).trim());
    }

    static Path path() {
        return Paths.get("/usr/bin/doveadm");
    }
}
