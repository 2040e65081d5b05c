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
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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

    private final TlsSettings settings;
    private final String listener;
    private final LongSupplier nanoClock;
    private SSLContext context;
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
        if (settings.keystore() == null && settings.selfSigned()
                && (!Files.exists(settings.certificate()) || !Files.exists(settings.privateKey()))) {
            LOG.info("Listener {}: generating a self-signed certificate in {}", listener, settings.certificate());
            SelfSignedCertificate.generate(settings.certificate(), settings.privateKey());
        }
        List<FileTime> stamps = stamps();
        this.context = load();
        this.loadedStamps = stamps;
        this.lastCheck = nanoClock.getAsLong();
    }

    TlsSettings settings() {
        return settings;
    }

    List<String> protocols() {
        return settings.protocols();
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
            LOG.warn("Listener {}: cannot read the TLS files ({}); keeping the loaded certificate", listener, e.toString());
            return;
        }
        if (stamps.equals(loadedStamps)) {
            return;
        }
        try {
            context = load();
            loadedStamps = stamps;
            LOG.info("Listener {}: reloaded the TLS certificate", listener);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            loadedStamps = stamps;
            LOG.error("Listener {}: the changed TLS files do not load ({}); keeping the previous certificate",
                    listener, e.toString());
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
        return settings.keystore() != null ? List.of(settings.keystore())
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
