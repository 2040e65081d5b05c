package org.mailroom.testing.exam;

import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.ops4j.pax.exam.Option;

/** Pax Exam options every Karaf boot of a Mailroom test needs, for a test that builds its own configuration. */
public final class KarafOptions {

    private KarafOptions() {}

    /** The Karaf version Mailroom is built on (system property {@code karaf.version} wins). */
    public static String karafVersion() {
        return System.getProperty("karaf.version", kit().getProperty("karaf.version"));
    }

    /** The Mailroom version of this test kit. */
    public static String mailroomVersion() {
        return kit().getProperty("mailroom.version");
    }

    /** This test kit as a bundle in the container, so that test classes inside it can use it. */
    public static Option testKitBundle() {
        return mavenBundle("org.mailroom", "org.mailroom.testing", mailroomVersion())
                .start();
    }

    /** {@code keepRuntimeFolder()} when the system property {@code mailroom.itest.keep} is true. */
    public static List<Option> keepIfAsked() {
        return Boolean.getBoolean("mailroom.itest.keep") ? List.of(keepRuntimeFolder()) : List.of();
    }

    /** With a local repository given, the container resolves mvn: URLs from it alone (offline, as CI). */
    public static List<Option> offline() {
        String localRepository = System.getProperty("org.ops4j.pax.url.mvn.localRepository", "");
        if (localRepository.isEmpty()) {
            return List.of();
        }
        return List.of(
                editConfigurationFilePut(
                        "etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", localRepository),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""));
    }

    /** The Java 9+ module flags bin/karaf passes, which Pax Exam's Java runner does not add. */
    public static List<Option> javaModules(String karafVersion) {
        List<Option> options = new ArrayList<>();
        for (String flag : new String[] {
            "--add-reads=java.xml=java.logging",
            "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
            "--patch-module",
            "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
            "--patch-module",
            "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
            "--add-opens",
            "java.base/java.security=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.net=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.util=ALL-UNNAMED",
            "--add-opens",
            "java.naming/javax.naming.spi=ALL-UNNAMED",
            "--add-opens",
            "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
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
            "-classpath",
            "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"
        }) {
            options.add(vmOption(flag));
        }
        return options;
    }

    private static Properties kit() {
        Properties properties = new Properties();
        try (InputStream in = KarafOptions.class.getResourceAsStream("kit.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
