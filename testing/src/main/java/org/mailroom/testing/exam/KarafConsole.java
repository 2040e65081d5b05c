package org.mailroom.testing.exam;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.security.auth.Subject;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/** Karaf console commands run from a test inside the container. */
public final class KarafConsole {

    private KarafConsole() {}

    /**
     * The principals of Karaf's default console user {@code karaf} (its admingroup's roles): what
     * the command ACLs (etc/org.apache.karaf.command.acl.*.cfg) ask for, e.g. admin for
     * feature:install and bundle:install, manager for bundle:update and bundle:stop.
     */
    public static Principal[] admin() {
        return new Principal[] {
            new UserPrincipal("karaf"),
            new RolePrincipal("admin"),
            new RolePrincipal("manager"),
            new RolePrincipal("viewer"),
            new RolePrincipal("systembus")
        };
    }

    /**
     * Runs a console command, as a subject with these principals when any are given (e.g.
     * Karaf's {@code RolePrincipal("admin")}, for commands guarded by an ACL), and returns what it
     * printed, its result included.
     *
     * @throws AssertionError when the command fails or does not end within the timeout, with what it printed
     */
    public static String execute(
            SessionFactory sessionFactory, String command, Duration timeout, Principal... principals) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out)) {
            PrivilegedExceptionAction<Object> run = () -> session.execute(command);
            Future<Object> result = executor.submit(() -> principals.length == 0
                    ? run.run()
                    : Subject.doAs(new Subject(false, Set.of(principals), Set.of(), Set.of()), run));
            Object value;
            try {
                value = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                result.cancel(true);
                throw new AssertionError("Console command timed out after " + timeout.toSeconds() + " s: " + command);
            } catch (ExecutionException e) {
                throw new AssertionError(
                        "Console command failed: " + command + "\n" + output.toString(StandardCharsets.UTF_8),
                        e.getCause());
            }
            if (value != null) {
                session.getConsole().println(value);
            }
            out.flush();
            return output.toString(StandardCharsets.UTF_8);
        } finally {
            executor.shutdownNow();
        }
    }
}
