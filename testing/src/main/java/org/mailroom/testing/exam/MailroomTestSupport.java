package org.mailroom.testing.exam;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.runner.RunWith;
import org.mailroom.testing.FreePorts;
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
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Base class of Pax Exam tests against the Mailroom distribution, for Mailroom's own
 * integration tests and for an integrator's module: boots the distribution once per test
 * class, with free POP3, POP3S, SMTP, submission, SMTPS and LMTP ports on 127.0.0.1, the local
 * domains localhost and {@value #TEST_DOMAIN}, its own data folder under
 * {@code target/itest-data}, the demo user (demo/demo) and this test kit installed as a bundle.
 * Test methods run inside the container; the helpers follow the names of Karaf's own
 * KarafTestSupport ({@link #getOsgiService}, {@link #executeCommand}, {@link #assertFeatureInstalled}).
 *
 * <p>System properties read in the test JVM:
 * <ul>
 * <li>{@code mailroom.assembly}: the distribution tar.gz as a file; without it the
 *     distribution of this kit's version is taken from Maven ({@code org.mailroom:mailroom-assembly:tar.gz});
 * <li>{@code org.ops4j.pax.url.mvn.localRepository}: the local Maven repository the container
 *     resolves {@code mvn:} URLs from (then no remote repository is used);
 * <li>{@code mailroom.itest.keep=true}: keep {@code target/exam/<uuid>} (the container's files,
 *     its log in {@code data/log/karaf.log}) for debugging.
 * </ul>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class MailroomTestSupport {

    /** Container system properties carrying what the test JVM chose. */
    public static final String POP3_PORT = "mailroom.itest.pop3.port";

    public static final String POP3S_PORT = "mailroom.itest.pop3s.port";
    public static final String SMTP_PORT = "mailroom.itest.smtp.port";
    public static final String SUBMISSION_PORT = "mailroom.itest.submission.port";
    public static final String SMTPS_PORT = "mailroom.itest.smtps.port";
    public static final String LMTP_PORT = "mailroom.itest.lmtp.port";
    /** The local domains every boot has besides localhost: mail for user@{@value #TEST_DOMAIN} reaches user. */
    public static final String TEST_DOMAIN = "mailroom.test";

    public static final String DATA = "mailroom.itest.data";

    public static final String LOCALHOST = "127.0.0.1";
    /** The user every boot has, with this password: as in the quick start. */
    public static final String DEMO_USER = "demo";

    public static final String DEMO_PASSWORD = "demo";
    protected static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected ConfigurationAdmin configurationAdmin;

    @Inject
    protected SessionFactory sessionFactory;

    @Inject
    protected FeaturesService featuresService;

    /** Injected only once the boot features are installed and started. */
    @Inject
    protected BootFinished bootFinished;

    @Configuration
    public Option[] config() throws IOException {
        String karafVersion = KarafOptions.karafVersion();
        String mailroomVersion = KarafOptions.mailroomVersion();
        File target = new File(System.getProperty("project.build.directory", "target"));
        int[] ports = FreePorts.of(6);
        File data = new File(target, "itest-data/" + getClass().getSimpleName() + "-" + System.currentTimeMillis());
        String dataPath = data.getAbsolutePath();

        List<Option> options = new ArrayList<>(Arrays.asList(
                karafDistributionConfiguration()
                        .frameworkUrl(distributionUrl(mailroomVersion))
                        .karafVersion(karafVersion)
                        .name("Mailroom")
                        .unpackDirectory(new File(target, "exam"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.WARN),
                systemTimeout(120_000),
                editConfigurationFilePut("etc/org.apache.karaf.features.cfg", "updateSnapshots", "none"),
                KarafOptions.testKitBundle(),
                replaceConfigurationFile("etc/mailroom-users.passwd", demoUsersFile(target)),
                // Every client of these tests comes from 127.0.0.1: a test that fails logins on
                // purpose must not slow the logins of the next one for the default 15 minutes.
                editConfigurationFilePut("etc/org.mailroom.login.cfg", "penaltyWindowSeconds", "3"),
                editConfigurationFilePut("etc/org.mailroom.listener-pop3.cfg", "host", LOCALHOST),
                editConfigurationFilePut("etc/org.mailroom.listener-pop3.cfg", "port", Integer.toString(ports[0])),
                editConfigurationFilePut("etc/org.mailroom.listener-pop3s.cfg", "host", LOCALHOST),
                editConfigurationFilePut("etc/org.mailroom.listener-pop3s.cfg", "port", Integer.toString(ports[1])),
                editConfigurationFilePut("etc/org.mailroom.listener-smtp.cfg", "host", LOCALHOST),
                editConfigurationFilePut("etc/org.mailroom.listener-smtp.cfg", "port", Integer.toString(ports[2])),
                editConfigurationFilePut("etc/org.mailroom.listener-submission.cfg", "host", LOCALHOST),
                editConfigurationFilePut(
                        "etc/org.mailroom.listener-submission.cfg", "port", Integer.toString(ports[3])),
                editConfigurationFilePut("etc/org.mailroom.listener-smtps.cfg", "host", LOCALHOST),
                editConfigurationFilePut("etc/org.mailroom.listener-smtps.cfg", "port", Integer.toString(ports[4])),
                editConfigurationFilePut("etc/org.mailroom.listener-lmtp.cfg", "host", LOCALHOST),
                editConfigurationFilePut("etc/org.mailroom.listener-lmtp.cfg", "port", Integer.toString(ports[5])),
                editConfigurationFilePut("etc/org.mailroom.addresses.cfg", "domains", "localhost, " + TEST_DOMAIN),
                editConfigurationFilePut("etc/org.mailroom.smtp.cfg", "hostname", TEST_DOMAIN),
                editConfigurationFilePut("etc/org.mailroom.spool.cfg", "directory", dataPath + "/spool"),
                editConfigurationFilePut("etc/org.mailroom.store.maildir.cfg", "root", dataPath + "/mail"),
                editConfigurationFilePut("etc/org.mailroom.tls.cfg", "tls.certificate", dataPath + "/tls/server.crt"),
                editConfigurationFilePut("etc/org.mailroom.tls.cfg", "tls.privateKey", dataPath + "/tls/server.key"),
                systemProperty(DATA).value(dataPath),
                systemProperty(POP3_PORT).value(Integer.toString(ports[0])),
                systemProperty(POP3S_PORT).value(Integer.toString(ports[1])),
                systemProperty(SMTP_PORT).value(Integer.toString(ports[2])),
                systemProperty(SUBMISSION_PORT).value(Integer.toString(ports[3])),
                systemProperty(SMTPS_PORT).value(Integer.toString(ports[4])),
                systemProperty(LMTP_PORT).value(Integer.toString(ports[5]))));
        options.addAll(KarafOptions.offline());
        options.addAll(KarafOptions.javaModules(karafVersion));
        options.addAll(KarafOptions.keepIfAsked());
        options.addAll(Arrays.asList(additionalOptions()));
        return options.toArray(new Option[0]);
    }

    /** Extra Pax Exam options of a test class (e.g. the bundle under test, more editConfigurationFilePut). */
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

    /** SMTP for local mail (MX), STARTTLS offered. */
    protected int smtpPort() {
        return Integer.getInteger(SMTP_PORT);
    }

    /** Submission with STARTTLS, AUTH required. */
    protected int submissionPort() {
        return Integer.getInteger(SUBMISSION_PORT);
    }

    /** Submission over implicit TLS. */
    protected int smtpsPort() {
        return Integer.getInteger(SMTPS_PORT);
    }

    protected int lmtpPort() {
        return Integer.getInteger(LMTP_PORT);
    }

    /** The data folder this test class chose for the container, under target/itest-data. */
    protected Path dataFolder() {
        return Paths.get(System.getProperty(DATA));
    }

    /** The Maildir of a user, as the store lays it out under the data folder. */
    protected Path maildir(String user) {
        return dataFolder().resolve("mail").resolve(user);
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

    protected void assertBundleActive(String symbolicName) {
        Bundle b = bundle(symbolicName);
        if (b == null || b.getState() != Bundle.ACTIVE) {
            throw new AssertionError(
                    "bundle " + symbolicName + " is " + (b == null ? "not installed" : "in state " + b.getState()));
        }
    }

    /** A service of this type, waiting up to {@link #TIMEOUT} for one to be registered. */
    protected <T> T getOsgiService(Class<T> type) {
        return getOsgiService(type, null, TIMEOUT);
    }

    /**
     * A service of this type matching an LDAP filter (null: any), waiting up to the timeout.
     *
     * @throws AssertionError when none is registered in time
     */
    protected <T> T getOsgiService(Class<T> type, String filter, Duration timeout) {
        String full = "(" + Constants.OBJECTCLASS + "=" + type.getName() + ")";
        if (filter != null) {
            full = "(&" + full + filter + ")";
        }
        ServiceTracker<T, T> tracker;
        try {
            tracker = new ServiceTracker<>(bundleContext, bundleContext.createFilter(full), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad filter " + filter, e);
        }
        tracker.open(true);
        try {
            T service = tracker.waitForService(timeout.toMillis());
            if (service == null) {
                throw new AssertionError("no service " + full + " within " + timeout.toSeconds() + " s");
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + full, e);
        } finally {
            tracker.close();
        }
    }

    protected void assertFeatureInstalled(String... names) throws Exception {
        for (String name : names) {
            if (!featuresService.isInstalled(featuresService.getFeature(name))) {
                throw new AssertionError("feature " + name + " is not installed");
            }
        }
    }

    protected void assertFeatureNotInstalled(String... names) throws Exception {
        for (String name : names) {
            if (featuresService.getFeature(name) != null
                    && featuresService.isInstalled(featuresService.getFeature(name))) {
                throw new AssertionError("feature " + name + " is installed");
            }
        }
    }

    /** Runs a Karaf console command and returns what it printed (its result included). */
    protected String executeCommand(String command, Principal... principals) throws Exception {
        return executeCommand(command, TIMEOUT, principals);
    }

    /**
     * Runs a console command as a subject with these principals (e.g. Karaf's
     * {@code RolePrincipal("admin")}, for commands guarded by an ACL); none: as the test.
     *
     * @throws AssertionError when the command fails or does not end within the timeout,
     *         with what it printed
     */
    protected String executeCommand(String command, Duration timeout, Principal... principals) throws Exception {
        return KarafConsole.execute(sessionFactory, command, timeout, principals);
    }

    /** True when something accepts TCP connections on 127.0.0.1:port. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOCALHOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ---- test JVM ----

    /**
     * The distribution to boot: the tar.gz named by the system property {@code mailroom.assembly},
     * else {@code org.mailroom:mailroom-assembly:tar.gz} of this kit's version from Maven. A test of
     * a variant (mailroom-cn, a vendor's) returns {@link #distribution(String, String)} of its own.
     *
     * @since 1.1
     */
    protected String distributionUrl(String mailroomVersion) {
        return distribution("mailroom.assembly", "mailroom-assembly");
    }

    /**
     * The tar.gz named by a system property, else the artifact {@code org.mailroom:<artifactId>:tar.gz}
     * of this kit's version from Maven.
     *
     * @since 1.1
     */
    protected static String distribution(String systemProperty, String artifactId) {
        String file = System.getProperty(systemProperty);
        if (file != null && !file.isEmpty()) {
            File assembly = new File(file);
            if (!assembly.isFile()) {
                throw new IllegalStateException(
                        "No distribution at " + assembly + " (" + systemProperty + "): build it first");
            }
            return assembly.toURI().toString();
        }
        return maven("org.mailroom", artifactId, KarafOptions.mailroomVersion())
                .type("tar.gz")
                .getURL();
    }

    private static File demoUsersFile(File target) {
        try (InputStream in = MailroomTestSupport.class.getResourceAsStream("demo-users.passwd")) {
            Path file = target.toPath().resolve("itest-data/demo-users.passwd");
            Files.createDirectories(file.getParent());
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file.toFile();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
