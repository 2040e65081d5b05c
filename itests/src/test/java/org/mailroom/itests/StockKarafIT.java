package org.mailroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.testing.FreePorts;
import org.mailroom.testing.Poll;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.exam.KarafConsole;
import org.mailroom.testing.exam.KarafOptions;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.ProbeBuilder;
import org.ops4j.pax.exam.TestProbeBuilder;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Mailroom installed into a stock Apache Karaf (the apache-karaf tar.gz from Maven Central, not
 * our distribution) as an operator would: feature:repo-add of the features artifact, then
 * feature:install mailroom. Its configuration must arrive with the features as etc/ files.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StockKarafIT {

    private static final String POP3_PORT = "mailroom.itest.pop3.port";
    /** Free ports for the listeners this test does not talk to, so that none binds a fixed port for long. */
    private static final String OTHER_PORTS = "mailroom.itest.other.ports";

    private static final List<String> OTHER_LISTENERS = List.of(
            "org.mailroom.listener-pop3s.cfg",
            "org.mailroom.listener-smtp.cfg",
            "org.mailroom.listener-submission.cfg",
            "org.mailroom.listener-smtps.cfg",
            "org.mailroom.listener-lmtp.cfg");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Inject
    private FeaturesService featuresService;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private BundleContext bundleContext;

    @Inject
    private BootFinished bootFinished;

    @Configuration
    public Option[] config() {
        String karafVersion = KarafOptions.karafVersion();
        File target = new File(System.getProperty("project.build.directory", "target"));
        int[] ports = FreePorts.of(8);
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl(maven("org.apache.karaf", "apache-karaf", karafVersion)
                                .type("tar.gz"))
                        .karafVersion(karafVersion)
                        .name("Apache Karaf")
                        .unpackDirectory(new File(target, "exam"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.WARN),
                systemTimeout(120_000),
                // Only the ports: a stock Karaf's JMX would take 1099 and 44444, its ssh 8101.
                editConfigurationFilePut(
                        "etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(ports[1])),
                editConfigurationFilePut(
                        "etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(ports[2])),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", "0"),
                editConfigurationFilePut(
                        "etc/org.ops4j.pax.logging.cfg", "log4j2.logger.mailroom.name", "org.mailroom"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.mailroom.level", "INFO"),
                KarafOptions.testKitBundle(),
                systemProperty(POP3_PORT).value(Integer.toString(ports[0])),
                systemProperty(OTHER_PORTS)
                        .value(ports[3] + "," + ports[4] + "," + ports[5] + "," + ports[6] + "," + ports[7]),
                systemProperty("mailroom.version").value(KarafOptions.mailroomVersion())));
        options.addAll(KarafOptions.offline());
        options.addAll(KarafOptions.javaModules(karafVersion));
        options.addAll(KarafOptions.keepIfAsked());
        return options.toArray(new Option[0]);
    }

    @ProbeBuilder
    public TestProbeBuilder probeConfiguration(TestProbeBuilder probe) {
        probe.setHeader(Constants.DYNAMICIMPORT_PACKAGE, "*");
        return probe;
    }

    @Test(timeout = 240_000)
    public void featureInstallIntoStockKarafServesPop3WithItsShippedConfiguration() throws Exception {
        String version = System.getProperty("mailroom.version");
        Path etc = Paths.get(System.getProperty("karaf.etc"));
        assertTrue(
                "a stock Karaf has no Mailroom settings before the install",
                !Files.exists(etc.resolve("org.mailroom.pop3.cfg")));

        console("feature:repo-add mvn:org.mailroom/mailroom-features/" + version + "/xml/features");
        String install = console("feature:install -v mailroom");
        assertTrue(
                "installing Mailroom refreshes none of Karaf's bundles:\n" + install,
                !install.contains("Refreshing bundles"));
        assertTrue("mailroom installed", featuresService.isInstalled(featuresService.getFeature("mailroom")));

        for (String file : List.of(
                "org.mailroom.tls.cfg",
                "org.mailroom.login.cfg",
                "org.mailroom.pop3.cfg",
                "org.mailroom.listener-pop3.cfg",
                "org.mailroom.listener-pop3s.cfg",
                "org.mailroom.auth.password.cfg",
                "org.mailroom.auth.password.schemes.cfg",
                "org.mailroom.store.maildir.cfg",
                "org.mailroom.addresses.cfg",
                "org.mailroom.spool.cfg",
                "org.mailroom.smtp.cfg",
                "org.mailroom.listener-smtp.cfg",
                "org.mailroom.listener-submission.cfg",
                "org.mailroom.listener-smtps.cfg",
                "org.mailroom.listener-lmtp.cfg",
                "welcome/01-welcome.eml")) {
            assertTrue(file + " installed by the feature", Files.isRegularFile(etc.resolve(file)));
        }

        int port = Integer.getInteger(POP3_PORT);
        org.osgi.service.cm.Configuration listener = fileConfiguration("org.mailroom.listener-pop3.cfg");
        Dictionary<String, Object> properties = listener.getProperties();
        assertEquals(
                "the shipped default port (no MAILROOM_POP3_PORT here)",
                "1110",
                properties.get("port").toString());
        properties.put("host", MailroomTestSupport.LOCALHOST);
        properties.put("port", Integer.toString(port));
        listener.update(properties);
        String[] others = System.getProperty(OTHER_PORTS).split(",");
        for (int i = 0; i < OTHER_LISTENERS.size(); i++) {
            org.osgi.service.cm.Configuration other = fileConfiguration(OTHER_LISTENERS.get(i));
            Dictionary<String, Object> p = other.getProperties();
            p.put("host", MailroomTestSupport.LOCALHOST);
            p.put("port", others[i]);
            other.update(p);
        }

        Poll.until(
                "the user directory, once its etc/ file reached ConfigAdmin",
                TIMEOUT,
                () -> bundleContext.getServiceReference(UserDirectory.class) != null);
        // Karaf's console injects a command's optional service a moment after the registry has it.
        Poll.until("mail:user-list sees the user directory", TIMEOUT, () -> {
            try {
                console("mail:user-list");
                return true;
            } catch (Exception | AssertionError e) {
                return false;
            }
        });
        console("mail:user-add alice wonderland");
        Poll.until("POP3 on port " + port, TIMEOUT, () -> MailroomTestSupport.accepts(port));
        try (Pop3Client pop3 = Pop3Client.connect(MailroomTestSupport.LOCALHOST, port, Duration.ofSeconds(30))) {
            assertTrue(pop3.readGreeting().startsWith("+OK"));
            assertTrue(
                    "STLS, as the shipped listener has tls = starttls",
                    pop3.stls().ok());
            assertTrue(pop3.command("USER alice").ok());
            Pop3Client.Response pass = pop3.command("PASS wonderland");
            assertTrue(pass.toString(), pass.ok());
            Pop3Client.Response list = pop3.multiLine("LIST");
            assertEquals(
                    "the three welcome messages from etc/welcome: " + list,
                    3,
                    list.lines().size());
            Pop3Client.Response first = pop3.multiLine("RETR 1");
            assertTrue(
                    first.toString(),
                    first.ok() && String.join("\n", first.lines()).contains("Subject:"));
            assertTrue(pop3.command("QUIT").ok());
        }
    }

    private org.osgi.service.cm.Configuration fileConfiguration(String file) throws Exception {
        org.osgi.service.cm.Configuration[] found = new org.osgi.service.cm.Configuration[1];
        Poll.until("ConfigAdmin has etc/" + file, TIMEOUT, () -> {
            try {
                org.osgi.service.cm.Configuration[] all =
                        configurationAdmin.listConfigurations("(felix.fileinstall.filename=*/" + file + ")");
                found[0] = all == null ? null : all[0];
                return found[0] != null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return found[0];
    }

    /** As an admin: a stock Karaf guards feature:install and others with command ACLs. */
    private String console(String command) throws Exception {
        return KarafConsole.execute(sessionFactory, command, TIMEOUT, KarafConsole.admin());
    }
}
