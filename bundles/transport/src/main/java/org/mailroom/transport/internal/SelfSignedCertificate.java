package org.mailroom.transport.internal;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Generates a self-signed server certificate for first starts and demos. */
final class SelfSignedCertificate {

    private static final Duration VALIDITY = Duration.ofDays(825);

    private SelfSignedCertificate() {}

    /** Writes a new RSA key and certificate for this host's name, localhost and the loopback addresses. */
    static void generate(Path certificateFile, Path keyFile) throws IOException, GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        String host = hostName();
        X500Name subject = new X500Name("CN=" + host + ", O=Mailroom self-signed");
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                new BigInteger(64, new SecureRandom()).abs(),
                Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)),
                subject,
                keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(java.util.List.of(host, "localhost"));
        java.util.List<GeneralName> alternatives = new java.util.ArrayList<>();
        names.forEach(n -> alternatives.add(new GeneralName(GeneralName.dNSName, n)));
        alternatives.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        alternatives.add(new GeneralName(GeneralName.iPAddress, "::1"));
        builder.addExtension(
                Extension.subjectAlternativeName, false, new GeneralNames(alternatives.toArray(new GeneralName[0])));
        X509Certificate certificate;
        try {
            certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the self-signed certificate", e);
        }
        writePem(keyFile, "PRIVATE KEY", keys.getPrivate().getEncoded(), true);
        writePem(certificateFile, "CERTIFICATE", certificate.getEncoded(), false);
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getCanonicalHostName();
            return name.matches("[A-Za-z0-9.-]+") ? name : "localhost";
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static void writePem(Path file, String type, byte[] der, boolean secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", ".pem");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions protect the key
            }
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
                out.write("-----BEGIN " + type + "-----\n");
                out.write(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der));
                out.write("\n-----END " + type + "-----\n");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
