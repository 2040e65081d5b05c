package org.mailroom.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.SessionLoad;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.Option;

/**
 * The mailroom-cn distribution (assembly-cn): its national-crypto boot features and defaults, and
 * each crypto bundle updated and reinstalled while clients log in. One Karaf boot for all of it.
 */
@RunWith(ToolsInstalled.class)
@ToolsInstalled.Require(
        tools = {"openssl"},
        packages = {"openssl"})
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class CnDistributionIT extends MailroomTestSupport {

    private static final String SM3_BSN = "org.mailroom.auth.sm3";
    private static final String SM3_FEATURE = "mailroom-auth-sm3-core";

    @Override
    protected String distributionUrl(String mailroomVersion) {
        return distribution("mailroom.assembly.cn", "mailroom-assembly-cn");
    }

    @Override
    protected Option[] additionalOptions() {
        return new Option[] {
            // Every login verifies its hash: the scheme must be there, not the login cache.
            editConfigurationFilePut("etc/org.mailroom.auth.password.cfg", "cacheSize", "0"),
            editConfigurationFilePut("etc/org.mailroom.listener-pop3.cfg", "maxConnectionRatePerIp", "1000000"),
        };
    }

    @Test
    public void t1_newPasswordsAreHashedWithSm3Pbkdf2AndLogIn() throws Exception {
        assertFeatureInstalled(SM3_FEATURE);
        assertBundleActive(SM3_BSN);
        UserDirectory users = getOsgiService(UserDirectory.class);
        users.add("sm3user", "国密-Secret-1");
        String line = usersFileLine("sm3user");
        assertTrue(line, line.startsWith("sm3user:{SM3-PBKDF2}$1$"));
        String[] f = line.split(":")[1].split("\\$");
        assertEquals(line, "100000", f[3]);
        assertEquals(line, 64, f[4].length());

        assertEquals("+OK", login("sm3user", "国密-Secret-1").substring(0, 3));
        assertTrue(login("sm3user", "国密-Secret-2").startsWith("-ERR [AUTH]"));
        assertEquals("+OK", login(DEMO_USER, DEMO_PASSWORD).substring(0, 3));
    }

    @Test
    public void t2_importedSm3AndSaltedSm3HashesLogIn() throws Exception {
        byte[] salt = "import-salt-0123".getBytes(UTF_8);
        String plain = HexFormat.of().formatHex(opensslSm3("Imported-1".getBytes(UTF_8)));
        byte[] salted = concat(opensslSm3(concat("Imported-2".getBytes(UTF_8), salt)), salt);
        Files.writeString(
                usersFile(),
                "imported1:{SM3}" + plain + "\nimported2:{SSM3}"
                        + Base64.getEncoder().encodeToString(salted) + "\n",
                StandardOpenOption.APPEND);
        Poll.until(
                "the users file reloaded",
                TIMEOUT,
                () -> login("imported2", "Imported-2").startsWith("+OK"));
        assertTrue(login("imported1", "Imported-1").startsWith("+OK"));
        assertTrue(login("imported1", "imported-1").startsWith("-ERR [AUTH]"));
    }

    @Test(timeout = 300_000)
    public void t3_theSm3BundleUpdatedAndReinstalledWhileUsersLogIn() throws Exception {
        String password = "Swap-" + System.nanoTime();
        // One user per client: two sessions of one user would find the mailbox locked.
        String user = "sm3swap" + System.nanoTime() % 100000 + "-";
        UserDirectory users = getOsgiService(UserDirectory.class);
        for (int client = 0; client < 2; client++) {
            users.add(user + client, password);
        }
        ConcurrentLinkedQueue<String> temporary = new ConcurrentLinkedQueue<>();
        boolean[] absent = {false};
        try (SessionLoad sm3 = SessionLoad.start("sm3", 2, (client, round) -> {
                    String reply = login(user + client, password);
                    if (reply.startsWith("-ERR [SYS/TEMP]") && absent[0]) {
                        temporary.add(reply);
                    } else {
                        assertTrue(reply, reply.startsWith("+OK"));
                    }
                });
                SessionLoad argon2 = SessionLoad.start("argon2", 1, (client, round) -> {
                    String reply = login(DEMO_USER, DEMO_PASSWORD);
                    assertTrue(reply, reply.startsWith("+OK"));
                })) {
            sm3.awaitSessionsByEveryClient(3, TIMEOUT);
            argon2.awaitSessionsByEveryClient(3, TIMEOUT);

            admin("bundle:update " + SM3_BSN);
            sm3.awaitSessionsByEveryClient(3, TIMEOUT);
            sm3.assertNoFailures("during and after bundle:update " + SM3_BSN);

            absent[0] = true;
            admin("feature:uninstall " + SM3_FEATURE);
            Poll.until("SM3 logins refused as temporary", Duration.ofSeconds(60), () -> temporary.size() >= 2);
            argon2.awaitSessionsByEveryClient(2, TIMEOUT);
            admin("feature:install " + SM3_FEATURE);
            sm3.awaitSessionsByEveryClient(2, Duration.ofSeconds(60));
            absent[0] = false;
            sm3.awaitSessionsByEveryClient(3, TIMEOUT);

            sm3.stop(TIMEOUT);
            argon2.stop(TIMEOUT);
            sm3.assertNoFailures("SM3 logins: only temporary failures, only while the feature was away");
            argon2.assertNoFailures("ARGON2ID logins while the SM3 bundle was updated and reinstalled");
        }
        for (String reply : temporary) {
            assertTrue(reply, reply.startsWith("-ERR [SYS/TEMP]"));
        }
        assertBundleActive(SM3_BSN);
    }

    // ---- helpers ----

    /** The status line answering PASS, after USER, in a session from loopback. */
    private String login(String user, String password) {
        try (Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT)) {
            pop3.readGreeting();
            assertTrue(pop3.command("USER " + user).ok());
            String reply = pop3.command("PASS " + password).status();
            pop3.command("QUIT");
            return reply;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Path usersFile() {
        return Path.of(System.getProperty("karaf.etc"), "mailroom-users.passwd");
    }

    private static String usersFileLine(String user) throws IOException {
        List<String> lines = Files.readAllLines(usersFile());
        return lines.stream()
                .filter(l -> l.startsWith(user + ":"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(user + " not in " + lines));
    }

    /** SM3 as Debian's openssl computes it, independent of the bundle under test. */
    private static byte[] opensslSm3(byte[] data) throws Exception {
        Process p = new ProcessBuilder("openssl", "dgst", "-sm3", "-binary").start();
        try (var in = p.getOutputStream()) {
            in.write(data);
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(new String(p.getErrorStream().readAllBytes(), UTF_8), 0, p.exitValue());
        assertEquals(32, out.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void admin(String command) throws Exception {
        String out = executeCommand(command, Duration.ofSeconds(120), KarafConsole.admin());
        assertFalse(command + ": " + out, out.toLowerCase(Locale.ROOT).contains("error"));
    }
}
