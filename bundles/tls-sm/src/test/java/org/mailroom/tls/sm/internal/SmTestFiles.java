package org.mailroom.tls.sm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;

/** SM2 keys and certificates made by Debian's openssl, as an operator would make them. */
final class SmTestFiles {

    static final String OPENSSL = "/usr/bin/openssl";

    final Path key;
    final Path cert;

    private SmTestFiles(Path key, Path cert) {
        this.key = key;
        this.cert = cert;
    }

    /** A PKCS#8 SM2 key and a self-signed SM2/SM3 certificate for CN=localhost in {@code dir}. */
    static SmTestFiles create(File dir, String name) throws Exception {
        assertTrue(
                OPENSSL + " is required to make SM2 test keys (apt-get install openssl)",
                Files.isExecutable(Path.of(OPENSSL)));
        Path key = dir.toPath().resolve(name + "-key.pem");
        Path cert = dir.toPath().resolve(name + "-cert.pem");
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", key.toString());
        openssl(
                dir,
                "req",
                "-new",
                "-x509",
                "-key",
                key.toString(),
                "-sm3",
                "-sigopt",
                "distid:1234567812345678",
                "-subj",
                "/CN=localhost",
                "-days",
                "30",
                "-out",
                cert.toString());
        return new SmTestFiles(key, cert);
    }

    /** Runs openssl and fails the test, with its output, unless it exits 0. */
    static String openssl(File dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(OPENSSL);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir)
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("openssl did not finish", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(String.join(" ", command) + ": " + output, 0, p.exitValue());
        return output;
    }

    /** DER of the first certificate in the PEM file. */
    static byte[] certificateDer(Path pem) throws IOException {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(pem, StandardCharsets.US_ASCII))) {
            return ((X509CertificateHolder) parser.readObject()).getEncoded();
        }
    }
}
