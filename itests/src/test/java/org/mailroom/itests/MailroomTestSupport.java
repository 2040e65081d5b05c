package org.mailroom.itests;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;

import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.ProbeBuilder;
import org.ops4j.pax.exam.TestProbeBuilder;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Base class of the integration tests: boots the Mailroom distribution built by assembly/
 * once per test class, with its own free POP3/POP3S ports (bound to 127.0.0.1) and its own
 * data folder under target/itest-data. Test methods run inside the container.
 *
 * <p>System properties read in the test JVM: {@code mailroom.assembly} (the distribution
 * tar.gz, set by the pom), {@code mailroom.itest.keep=true} to keep target/exam/&lt;uuid&gt;
 * (the container's files and data/log/karaf.log) for debugging.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class MailroomTestSupport {

    /** Bundle symbolic names of every Mailroom bundle in the distribution. */
    public static final List<String> MAILROOM_BUNDLES = List.of(
            "org.mailroom.api", "org.mailroom.transport", "org.mailroom.login", "org.mailroom.pop3",
            "org.mailroom.auth.password", "org.mailroom.store.maildir", "org.mailroom.shell");

    /** Container system properties carrying what the test JVM chose. */
    public static final String POP3_PORT = "mailroom.itest.pop3.port";
    public static final String POP3S_PORT = "mailroom.itest.pop3s.port";
    public static final String DATA = "mailroom.data";
    public static final String EXPECTED_DATA = "mailroom.itest.data";

    public static final String LOCALHOST = "127.0.0.1";
    protected static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected ConfigurationAdmin configurationAdmin;

    @Inject
    protected SessionFactory sessionFactory;

    /** Injected only once the boot features are installed and started. */
    @Inject
    protected BootFinished bootFinished;

    @Configuration
    public Option[] config() throws IOException {
        String karafVersion = requiredProperty("karaf.version");
        File assembly = new File(requiredProperty("mailroom.assembly"));
        if (!assembly.isFile()) {
            throw new IllegalStateException("No distribution at " + assembly + ": build assembly/ first");
        }
        File target = new File(System.getProperty("project.build.directory", "target"));
        int[] ports = freePorts(2);
        File data = new File(target, "itest-data/" + getClass().getSimpleName() + "-" + System.currentTimeMillis());
        String localRepository = System.getProperty("org.ops4j.pax.url.mvn.localRepository", "");

        List<Option> options = new ArrayList<>(Arrays.asList(
                karafDistributionConfiguration()
                        .frameworkUrl(assembly.toURI().toString())
                        .karafVersion(karafVersion)
                        .name("Mailroom")
                        .unpackDirectory(new File(target, "exam"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.WARN),
                systemTimeout(120_000),

                // Offline: Karaf in the container takes Pax Exam's own bundles from the local repository.
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg",
                        "org.ops4j.pax.url.mvn.localRepository", localRepository),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""),
                editConfigurationFilePut("etc/org.apache.karaf.features.cfg", "updateSnapshots", "none"),

                // The distribution ships without users; the tests log in as the quick start's demo user.
                replaceConfigurationFile("etc/mailroom-users.passwd",
                        new File(System.getProperty("project.basedir", "."), "src/test/resources/demo-users.passwd")),
                // Every client of these tests comes from 127.0.0.1: a test that fails logins on
                // purpose must not slow the logins of the next one for the default 15 minutes.
                editConfigurationFilePut("etc/org.mailroom.login.cfg", "penaltyWindowSeconds", "3"),
                editConfigurationFilePut("etc/org.mailroom.listener-pop3.cfg", "host", LOCALHOST),
                editConfigurationFilePut("etc/org.mailroom.listener-pop3.cfg", "port", Integer.toString(ports[0])),
                editConfigurationFilePut("etc/org.mailroom.listener-pop3s.cfg", "host", LOCALHOST),
                editConfigurationFilePut("etc/org.mailroom.listener-pop3s.cfg", "port", Integer.toString(ports[1])),
                // Pax Exam rewrites etc/system.properties with the include line of
                // custom.system.properties anywhere, so the data folder is set in that file.
                editConfigurationFilePut("etc/custom.system.properties", DATA, data.getAbsolutePath()),
                systemProperty(EXPECTED_DATA).value(data.getAbsolutePath()),
                systemProperty(POP3_PORT).value(Integer.toString(ports[0])),
                systemProperty(POP3S_PORT).value(Integer.toString(ports[1]))));
        options.addAll(javaModuleOptions(karafVersion));
        if (Boolean.getBoolean("mailroom.itest.keep")) {
            options.add(keepRuntimeFolder());
        }
        options.addAll(Arrays.asList(additionalOptions()));
        return options.toArray(new Option[0]);
    }

    /** Extra Pax Exam options of a test class (e.g. more editConfigurationFilePut). */
    protected Option[] additionalOptions() {
        return new Option[0];
    }

    @ProbeBuilder
    public TestProbeBuilder probeConfiguration(TestProbeBuilder probe) {
        probe.setHeader(Constants.DYNAMICIMPORT_PACKAGE, "*");
        return probe;
    }

    // ---- inside the container ----

    protected int pop3Port() {
        return Integer.getInteger(POP3_PORT);
    }

    protected int pop3sPort() {
        return Integer.getInteger(POP3S_PORT);
    }

    /** The Mailroom data folder the container uses (the mailroom.data property of the distribution). */
    protected Path dataFolder() {
        return Paths.get(System.getProperty(DATA));
    }

    /** The data folder this test class chose for the container, under target/itest-data. */
    protected Path expectedDataFolder() {
        return Paths.get(System.getProperty(EXPECTED_DATA));
    }

    /** The installed bundle with this symbolic name (highest version), or null. */
    protected Bundle bundle(String symbolicName) {
        Bundle found = null;
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())
                    && (found == null || b.getVersion().compareTo(found.getVersion()) > 0)) {
                found = b;
            }
        }
        return found;
    }

    /** Polls the condition every 50 ms until it holds (true) or the timeout passes (false). */
    public static boolean waitFor(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Like {@link #waitFor} but fails the test, naming what it waited for. */
    public static void assertEventually(String what, Duration timeout, BooleanSupplier condition) {
        if (!waitFor(timeout, condition)) {
            throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for: " + what);
        }
    }

    /** True when something accepts TCP connections on 127.0.0.1:port. */
    public static boolean accepts(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(LOCALHOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a Karaf console command and returns what it printed (its result included). */
    protected String executeCommand(String command) throws Exception {
        return executeCommand(command, TIMEOUT);
    }

    protected String executeCommand(String command, Duration timeout) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out)) {
            Future<Object> result = executor.submit(() -> session.execute(command));
            Object value;
            try {
                value = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                result.cancel(true);
                throw new AssertionError("Console command timed out after " + timeout.toSeconds() + " s: " + command);
            } catch (ExecutionException e) {
                throw new AssertionError("Console command failed: " + command + "\n" + output.toString(StandardCharsets.UTF_8),
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

    // ---- test JVM helpers ----

    /** Distinct free TCP ports, found by binding port 0 (all held open together, then closed). */
    protected static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** The Java 9+ module flags bin/karaf passes, which Pax Exam's Java runner does not add. */
    private static List<Option> javaModuleOptions(String karafVersion) {
        List<Option> options = new ArrayList<>();
        for (String flag : new String[] {
                "--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
                "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
                "--add-opens", "java.base/java.security=ALL-UNNAMED",
                "--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
                "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
                "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"}) {
            options.add(vmOption(flag));
        }
        return options;
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("System property " + name + " is not set (run the itests through Maven)");
        }
        return value;
    }
}
