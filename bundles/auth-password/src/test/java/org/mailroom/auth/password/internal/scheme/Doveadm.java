package org.mailroom.auth.password.internal.scheme;

import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mailroom.testing.RequiredTool;

/** Runs Dovecot's doveadm: required when CI is set, otherwise the test is skipped without it. */
final class Doveadm {

    record Result(int exit, String out) {}

    private Doveadm() {}

    static void assumeAvailable() {
        RequiredTool.require("/usr/bin/doveadm", "dovecot-core");
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
