package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.Test;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.SessionLoad;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.KarafOptions;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.Option;

/**
 * The integrator's path of docs/extending.md, end to end: in the test JVM, a project is generated
 * from the archetype the build installed and built with "mvn install" (which runs the generated
 * Pax Exam test too); in the container, while password clients keep logging in, the module is
 * installed with feature:install, removed, and installed again with bundle:install, and a user
 * logs in through it over POP3 each time.
 */
public class ArchetypeIT extends MailroomTestSupport {

    private static final String GROUP = "org.mailroom.itests.generated";
    private static final String ARTIFACT = "token-auth";
    private static final String VERSION = "1.0.0";
    private static final String PACKAGE = GROUP + ".tokenauth";
    private static final String SECRET = "archetype-it-secret-0123456789";
    private static final String PROJECT = "mailroom.itest.archetype.project";
    private static final int CLIENTS = 3;
    private static final String CLIENT_PASSWORD = "client-password";
    /** The promise of the issue: the module's own code (no imports, comments or blank lines). */
    private static final int MAX_CODE_LINES = 49;

    @Override
    protected Option[] additionalOptions() {
        return new Option[] {
            systemProperty(PROJECT).value(GeneratedProject.generateAndInstall().toString())
        };
    }

    @Test(timeout = 240_000)
    public void theGeneratedModuleGoesLiveUnderLoadAndUsersLogInThroughIt() throws Exception {
        Poll.until("POP3 port " + pop3Port() + " accepting", TIMEOUT, () -> accepts(pop3Port()));

        UserDirectory directory = getOsgiService(UserDirectory.class);
        for (int client = 0; client < CLIENTS; client++) {
            if (!directory.exists(clientUser(client))) {
                directory.add(clientUser(client), CLIENT_PASSWORD);
            }
        }

        try (SessionLoad load =
                SessionLoad.start("password-client", CLIENTS, (client, round) -> passwordSession(client))) {
            load.awaitSessionsByEveryClient(1, TIMEOUT);

            long installStart = System.nanoTime();
            admin("feature:repo-add mvn:" + GROUP + "/" + ARTIFACT + "/" + VERSION + "/xml/features");
            admin("feature:install " + ARTIFACT);
            // Installed before its etc/ file exists, as an operator may: a clear error, no login.
            Path log = Paths.get(System.getProperty("karaf.log"), "karaf.log");
            String expected = "etc/" + PACKAGE + ".cfg: secret must have at least 16 characters";
            Poll.until("karaf.log says: " + expected, TIMEOUT, () -> contains(log, expected));
            Poll.until("X-TOKEN offered after feature:install", TIMEOUT, this::xTokenOffered);
            assertTrue("a temporary error without a secret", tokenLogin().startsWith("-ERR [SYS/TEMP]"));

            Path cfg = Paths.get(System.getProperty("karaf.etc"), PACKAGE + ".cfg");
            Files.writeString(cfg, "secret = " + SECRET + "\n", UTF_8);
            Poll.until(
                    "X-TOKEN logins work once the secret is in " + cfg,
                    TIMEOUT,
                    () -> tokenLogin().startsWith("+OK"));
            long installEnd = System.nanoTime();
            assertTokenLogin();
            load.awaitSessionsByEveryClient(2, TIMEOUT);
            assertTrue(
                    "password sessions were open while the feature was installed",
                    load.overlapping(installStart, installEnd) > 0);

            admin("feature:uninstall " + ARTIFACT);
            Poll.until("X-TOKEN gone after feature:uninstall", TIMEOUT, () -> !xTokenOffered());
            load.awaitSessionsByEveryClient(2, TIMEOUT);

            Path jar = project().resolve("target/" + ARTIFACT + "-" + VERSION + ".jar");
            admin("bundle:install -s " + jar.toUri());
            Poll.until("X-TOKEN offered after bundle:install", TIMEOUT, this::xTokenOffered);
            assertTokenLogin();
            load.awaitSessionsByEveryClient(2, TIMEOUT);

            load.stop(TIMEOUT);
            load.assertNoFailures("while the generated module was installed, removed and installed again");
            System.out.println("ArchetypeIT: " + load.completed() + " password sessions by " + CLIENTS
                    + " clients, 0 failed, across feature:install, feature:uninstall and bundle:install of "
                    + ARTIFACT);
        }
    }

    @Test(timeout = 60_000)
    public void theModulesOwnCodeIsUnderFiftyLines() throws Exception {
        Path source = project().resolve("src/main/java/" + PACKAGE.replace('.', '/') + "/TokenAuthenticator.java");
        List<String> code = new ArrayList<>();
        for (String line : Files.readAllLines(source, UTF_8)) {
            String t = line.trim();
            if (!t.isEmpty()
                    && !t.startsWith("//")
                    && !t.startsWith("/*")
                    && !t.startsWith("*")
                    && !t.startsWith("package ")
                    && !t.startsWith("import ")) {
                code.add(line);
            }
        }
        assertTrue(
                code.size() + " lines of code in " + source + ":\n" + String.join("\n", code),
                code.size() <= MAX_CODE_LINES);
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.isRegularFile(file)
                    && new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path project() {
        return Paths.get(System.getProperty(PROJECT));
    }

    private void admin(String command) throws Exception {
        String out = executeCommand(command, TIMEOUT, KarafConsole.admin());
        assertTrue(command + ": " + out, !out.toLowerCase(java.util.Locale.ROOT).contains("error"));
    }

    private static String clientUser(int client) {
        return "password-client" + client;
    }

    /** What each password client does throughout, as its own user: STLS, USER/PASS, STAT, QUIT. */
    private void passwordSession(int client) throws IOException {
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            expectOk("greeting", pop3.readGreeting());
            expectOk("STLS", pop3.stls().status());
            expectOk("USER", pop3.command("USER " + clientUser(client)).status());
            expectOk("PASS", pop3.command("PASS " + CLIENT_PASSWORD).status());
            expectOk("STAT", pop3.command("STAT").status());
            expectOk("QUIT", pop3.command("QUIT").status());
        }
    }

    private boolean xTokenOffered() {
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            pop3.readGreeting();
            expectOk("STLS", pop3.stls().status());
            return pop3.multiLine("CAPA").lines().stream()
                    .anyMatch(line -> line.startsWith("SASL ") && (line + " ").contains(" X-TOKEN "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reply to AUTH X-TOKEN with a valid token for the demo user, after STLS. */
    private String tokenLogin() {
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            pop3.readGreeting();
            expectOk("STLS", pop3.stls().status());
            String response = Base64.getEncoder().encodeToString((DEMO_USER + "\0" + token(DEMO_USER)).getBytes(UTF_8));
            return pop3.command("AUTH X-TOKEN " + response).status();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertTokenLogin() throws Exception {
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            pop3.readGreeting();
            expectOk("STLS", pop3.stls().status());
            String response = Base64.getEncoder().encodeToString((DEMO_USER + "\0" + token(DEMO_USER)).getBytes(UTF_8));
            expectOk("AUTH X-TOKEN", pop3.command("AUTH X-TOKEN " + response).status());
            expectOk("STAT", pop3.command("STAT").status());
            String wrong = Base64.getEncoder().encodeToString((DEMO_USER + "\0" + token("other")).getBytes(UTF_8));
            try (Pop3Client second = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
                second.readGreeting();
                expectOk("STLS", second.stls().status());
                assertEquals(
                        "a token for another user",
                        "-ERR",
                        second.command("AUTH X-TOKEN " + wrong).status().split(" ")[0]);
            }
        }
    }

    private static String token(String user) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(user.getBytes(UTF_8)));
    }

    private static void expectOk(String what, String status) {
        assertTrue(what + ": " + status, status.startsWith("+OK"));
    }

    /** Test JVM: archetype:generate and mvn install of the generated project, with this build's Maven. */
    static final class GeneratedProject {

        private GeneratedProject() {}

        static Path generateAndInstall() {
            try {
                Path work = Paths.get(System.getProperty("project.build.directory", "target"), "archetype-it")
                        .toAbsolutePath();
                ExternalServer.deleteTree(work);
                Files.createDirectories(work);
                run(
                        work,
                        work.resolve("generate.log"),
                        List.of(
                                "org.apache.maven.plugins:maven-archetype-plugin:" + required("archetype.version")
                                        + ":generate",
                                "-DarchetypeGroupId=org.mailroom",
                                "-DarchetypeArtifactId=mailroom-auth-archetype",
                                "-DarchetypeVersion=" + KarafOptions.mailroomVersion(),
                                "-DgroupId=" + GROUP,
                                "-DartifactId=" + ARTIFACT,
                                "-Dversion=" + VERSION,
                                "-Dpackage=" + PACKAGE,
                                "-DinteractiveMode=false"));
                Path project = work.resolve(ARTIFACT);
                run(project, work.resolve("install.log"), List.of("install"));
                return project;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private static void run(Path directory, Path log, List<String> goals) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(
                    Paths.get(required("maven.home"), "bin", "mvn").toString(),
                    "-B",
                    "-ntp",
                    "-Dmaven.repo.local=" + required("org.ops4j.pax.url.mvn.localRepository")));
            if ("offline=true".equals(System.getProperty("maven.offline"))) {
                command.add("-o");
            }
            command.addAll(goals);
            Process process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            int status = process.waitFor();
            if (status != 0) {
                List<String> lines = Files.readAllLines(log, UTF_8);
                throw new AssertionError("mvn " + String.join(" ", goals) + " in " + directory + " exited with "
                        + status + "; the end of " + log + ":\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            }
        }

        private static String required(String property) {
            String value = System.getProperty(property, "");
            if (value.isEmpty()) {
                throw new IllegalStateException(
                        "system property " + property + " is not set (itests/pom.xml passes it to failsafe)");
            }
            return value;
        }
    }
}
