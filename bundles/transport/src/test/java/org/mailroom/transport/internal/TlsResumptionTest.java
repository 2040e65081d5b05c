package org.mailroom.transport.internal;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.testing.RequiredTool;

/**
 * TLS session resumption as a real client sees it: {@code openssl s_client} saves the session of
 * a first connection ({@code -sess_out}) and presents it on a second ({@code -sess_in}), which must
 * report "Reused" for TLS 1.3 (a session ticket), for TLS 1.2 with a ticket and with a session ID
 * only ({@code -no_ticket}), over implicit TLS and POP3 STLS; a session from another listener, with
 * another certificate, must not resume. Skipped without openssl, failed in CI (CI set) without it.
 */
public class TlsResumptionTest {

    private static final long OPENSSL_SECONDS = 20;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public final Listeners listeners = new Listeners();

    @Test(timeout = 60_000)
    public void aTls13SessionTicketResumesOverImplicitTlsAndStls() throws Exception {
        assertResumes(start("implicit", "a"), "-tls1_3");
        assertResumes(start("starttls", "a"), "-tls1_3");
    }

    @Test(timeout = 60_000)
    public void aTls12SessionResumesByTicketAndBySessionId() throws Exception {
        MinaListener implicit = start("implicit", "a");
        assertResumes(implicit, "-tls1_2");
        assertResumes(implicit, "-tls1_2", "-no_ticket");
        assertResumes(start("starttls", "a"), "-tls1_2", "-no_ticket");
    }

    @Test(timeout = 60_000)
    public void aSessionFromAnotherListenerAndCertificateDoesNotResume() throws Exception {
        MinaListener a = start("implicit", "a");
        MinaListener b = start("implicit", "b");
        for (List<String> options : List.of(List.of("-tls1_3"), List.of("-tls1_2"), List.of("-tls1_2", "-no_ticket"))) {
            String[] opts = options.toArray(new String[0]);
            Path session = firstSession(a, opts);
            String version = version(opts);
            String other = sClient(b, session, opts);
            assertTrue(
                    options + ": a session of listener a resumed on b:\n" + other, other.contains("New, " + version));
            // the same session still resumes where it came from: the refusal above is b's doing
            String home = sClient(a, session, opts);
            assertTrue(options + ": did not resume on a:\n" + home, home.contains("Reused, " + version));
        }
    }

    // ---- helpers

    /** A first connection makes a new session; a second presenting it reports reuse. */
    private void assertResumes(MinaListener listener, String... options) throws Exception {
        Path session = firstSession(listener, options);
        String second = sClient(listener, session, options);
        String version = version(options);
        assertTrue(
                String.join(" ", options) + " on " + listener.boundAddress() + ": second connection not resumed:\n"
                        + second,
                second.contains("Reused, " + version));
    }

    /** Connects without a session and returns the file the server's session was saved to. */
    private Path firstSession(MinaListener listener, String... options) throws Exception {
        Path session = tmp.newFile().toPath();
        Files.delete(session);
        String first = sClient(listener, null, session, options);
        assertTrue("first connection not new:\n" + first, first.contains("New, " + version(options)));
        assertTrue(
                "the server sent no session to resume (" + String.join(" ", options) + "):\n" + first,
                Files.size(session) > 0);
        return session;
    }

    private static String version(String... options) {
        return List.of(options).contains("-tls1_3") ? "TLSv1.3" : "TLSv1.2";
    }

    private String sClient(MinaListener listener, Path sessionIn, String... options) throws Exception {
        return sClient(listener, sessionIn, null, options);
    }

    /**
     * One {@code openssl s_client} session: the greeting (after STLS on a STARTTLS listener), then
     * QUIT; returns what s_client printed, which says "New," or "Reused," and the protocol.
     */
    private String sClient(MinaListener listener, Path sessionIn, Path sessionOut, String... options) throws Exception {
        String openssl = RequiredTool.require("openssl", "openssl").toString();
        List<String> command = new ArrayList<>(List.of(
                openssl,
                "s_client",
                "-connect",
                "127.0.0.1:" + listener.boundAddress().getPort(),
                "-crlf",
                "-ign_eof"));
        if (listener.settings().tls() == TlsMode.STARTTLS) {
            command.addAll(List.of("-starttls", "pop3"));
        }
        command.addAll(List.of(options));
        if (sessionIn != null) {
            command.addAll(List.of("-sess_in", sessionIn.toString()));
        }
        if (sessionOut != null) {
            command.addAll(List.of("-sess_out", sessionOut.toString()));
        }
        Path input = tmp.newFile().toPath();
        Files.writeString(input, "QUIT\n", StandardCharsets.US_ASCII);
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(input.toFile())
                .start();
        if (!p.waitFor(OPENSSL_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish within " + OPENSSL_SECONDS + " s: "
                    + new String(
                            p.getInputStream().readNBytes(p.getInputStream().available()), StandardCharsets.UTF_8));
        }
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!text.contains("+OK bye")) {
            throw new IOException(
                    command + " (exit " + p.exitValue() + ") did not end with the server's goodbye:\n" + text);
        }
        return text;
    }

    private MinaListener start(String mode, String certificate) throws Exception {
        ListenerSettings settings = ListenerConfigValues.tls(
                        mode, tmp.getRoot().toPath().resolve(certificate))
                .settings();
        return listeners.start(settings, name -> new MinaListenerTest.TestProtocol());
    }
}
