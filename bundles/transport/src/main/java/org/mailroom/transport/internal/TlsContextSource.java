package org.mailroom.transport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSLContext of a listener, loaded from PEM files or a keystore. The files are checked for
 * changes (at most once a second, when a connection needs TLS), so a renewed certificate is
 * picked up without a restart; a file that does not load keeps the previous context in force.
 */
final class TlsContextSource {

    private static final Logger LOG = LoggerFactory.getLogger(TlsContextSource.class);
    private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;
    static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    static {
        // A client may start a TLS 1.2 renegotiation at will, which costs the server a full handshake
        // each time (CVE-2011-1473, a cheap DoS); TLS 1.3 has no renegotiation. JDK 17 refuses it
        // only with this system property, which it reads once, when the first server handshake loads
        // sun.security.ssl.ServerHandshakeContext. etc/custom.system.properties sets it at Karaf start;
        // this covers a runtime started without that file (unit tests, another Karaf). Every listener
        // and every validation of tls.cipherSuites goes through this class before any JSSE use, so it
        // runs first. An explicit setting (even false) is left alone.
        String configured = System.getProperty(REJECT_CLIENT_RENEGOTIATION);
        if (configured == null) {
            System.setProperty(REJECT_CLIENT_RENEGOTIATION, "true");
        } else if (!configured.trim().equalsIgnoreCase("true")) {
            LOG.warn(
                    "{}={}: TLS clients may renegotiate (a denial-of-service risk)",
                    REJECT_CLIENT_RENEGOTIATION,
                    configured);
        }
    }

    private static volatile Set<String> jdkCipherSuites;

    private final TlsSettings settings;
    private final String listener;
    private final LongSupplier nanoClock;
    private SSLContext context;
    private String[] cipherSuites;
    private List<FileTime> loadedStamps = List.of();
    private long lastCheck;

    TlsContextSource(TlsSettings settings, String listener) throws IOException, GeneralSecurityException {
        this(settings, listener, System::nanoTime);
    }

    TlsContextSource(TlsSettings settings, String listener, LongSupplier nanoClock)
            throws IOException, GeneralSecurityException {
        this.settings = settings;
        this.listener = listener;
        this.nanoClock = nanoClock;
        if (settings.keystore() == null
                && settings.selfSigned()
                && (!Files.exists(settings.certificate()) || !Files.exists(settings.privateKey()))) {
            LOG.info("Listener {}: generating a self-signed certificate in {}", listener, settings.certificate());
            SelfSignedCertificate.generate(settings.certificate(), settings.privateKey());
        }
        List<FileTime> stamps = stamps();
        this.context = load();
        this.cipherSuites = supportedSuites(context);
        this.loadedStamps = stamps;
        this.lastCheck = nanoClock.getAsLong();
    }

    TlsSettings settings() {
        return settings;
    }

    List<String> protocols() {
        return settings.protocols();
    }

    /**
     * The configured suites that the current context supports, in the configured order (the
     * server's preference); never empty.
     */
    synchronized String[] cipherSuites() {
        return cipherSuites.clone();
    }

    /** Every cipher suite the JDK's TLS implementation supports (enabled or not). */
    static Set<String> jdkCipherSuites() {
        Set<String> suites = jdkCipherSuites;
        if (suites == null) {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, null, null);
                suites = Set.of(ctx.getSupportedSSLParameters().getCipherSuites());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK offers no TLS implementation", e);
            }
            jdkCipherSuites = suites;
        }
        return suites;
    }

    private String[] supportedSuites(SSLContext ctx) throws GeneralSecurityException {
        Set<String> supported = Set.of(ctx.getSupportedSSLParameters().getCipherSuites());
        String[] suites =
                settings.cipherSuites().stream().filter(supported::contains).toArray(String[]::new);
        if (suites.length == 0) {
            throw new GeneralSecurityException(
                    "the TLS implementation supports none of tls.cipherSuites " + settings.cipherSuites());
        }
        if (suites.length < settings.cipherSuites().size()) {
            LOG.warn(
                    "Listener {}: the TLS implementation does not support some of tls.cipherSuites; enabled: {}",
                    listener,
                    Arrays.asList(suites));
        }
        return suites;
    }

    /** The current context, reloaded first if a file changed since it was loaded. */
    synchronized SSLContext current() {
        long now = nanoClock.getAsLong();
        if (now - lastCheck >= CHECK_INTERVAL_NANOS) {
            lastCheck = now;
            reloadIfChanged();
        }
        return context;
    }

    private void reloadIfChanged() {
        List<FileTime> stamps;
        try {
            stamps = stamps();
        } catch (IOException e) {
            LOG.warn(
                    "Listener {}: cannot read the TLS files ({}); keeping the loaded certificate",
                    listener,
                    e.toString());
            return;
        }
        if (stamps.equals(loadedStamps)) {
            return;
        }
        try {
            SSLContext next = load();
            cipherSuites = supportedSuites(next);
            context = next;
            loadedStamps = stamps;
            LOG.info("Listener {}: reloaded the TLS certificate", listener);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            loadedStamps = stamps;
            LOG.error(
                    "Listener {}: the changed TLS files do not load ({}); keeping the previous certificate",
                    listener,
                    e.toString());
        }
    }

    private List<FileTime> stamps() throws IOException {
        List<FileTime> stamps = new ArrayList<>();
        for (Path p : files()) {
            stamps.add(Files.getLastModifiedTime(p));
        }
        return stamps;
    }

    private List<Path> files() {
        return settings.keystore() != null
                ? List.of(settings.keystore())
                : List.of(settings.certificate(), settings.privateKey());
    }

    private SSLContext load() throws IOException, GeneralSecurityException {
        KeyStore keyStore;
        char[] password;
        if (settings.keystore() != null) {
            password = settings.keystorePassword();
            keyStore = loadKeyStore(settings.keystore(), password);
        } else {
            password = new char[0];
            List<X509Certificate> chain = readCertificates(settings.certificate());
            PrivateKey key = readPrivateKey(settings.privateKey());
            keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static KeyStore loadKeyStore(Path file, char[] password) throws IOException, GeneralSecurityException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        KeyStore ks = KeyStore.getInstance(name.endsWith(".jks") ? "JKS" : "PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        } catch (NoSuchFileException e) {
            throw new IOException("tls.keystore " + file + " does not exist", e);
        }
        return ks;
    }

    static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (NoSuchFileException e) {
            throw new IOException("tls.certificate " + file + " does not exist", e);
        }
        if (chain.isEmpty()) {
            throw new IOException("tls.certificate " + file + " holds no PEM certificate");
        }
        return chain;
    }

    static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (item instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
        } catch (NoSuchFileException e) {
            throw new IOException("tls.privateKey " + file + " does not exist", e);
        }
        throw new IOException("tls.privateKey " + Objects.toString(file) + " holds no unencrypted PEM private key");
    }
}
