package org.mailroom.tls.sm.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.ContentSigner;

/**
 * Generates a self-signed SM2 server certificate (signed SM3withSM2) for first starts and
 * demos, with Bouncy Castle's lightweight API: the RFC 8998 counterpart of the transport's RSA
 * one.
 */
final class SmSelfSigned {

    private static final Duration VALIDITY = Duration.ofDays(825);
    private static final AlgorithmIdentifier SM3_WITH_SM2 =
            new AlgorithmIdentifier(GMObjectIdentifiers.sm2sign_with_sm3);

    private SmSelfSigned() {}

    /** Writes a new SM2 key (PKCS#8 PEM, 0600) and certificate for this host, localhost and loopback. */
    static void generate(Path certificateFile, Path keyFile) throws IOException {
        X9ECParameters curve = CustomNamedCurves.getByOID(GMObjectIdentifiers.sm2p256v1);
        ECDomainParameters domain = new ECNamedDomainParameters(GMObjectIdentifiers.sm2p256v1, curve);
        SecureRandom random = new SecureRandom();
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(domain, random));
        AsymmetricCipherKeyPair keys = generator.generateKeyPair();

        String host = hostName();
        X500Name subject = new X500Name("CN=" + host + ", O=Mailroom self-signed SM2");
        Instant now = Instant.now();
        SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keys.getPublic());
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                subject,
                new BigInteger(64, random).abs(),
                Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)),
                subject,
                publicKey);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        List<GeneralName> alternatives = new ArrayList<>();
        new LinkedHashSet<>(List.of(host, "localhost"))
                .forEach(n -> alternatives.add(new GeneralName(GeneralName.dNSName, n)));
        alternatives.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        alternatives.add(new GeneralName(GeneralName.iPAddress, "::1"));
        builder.addExtension(
                Extension.subjectAlternativeName, false, new GeneralNames(alternatives.toArray(new GeneralName[0])));
        byte[] certificate = builder.build(new Sm2Signer(keys, random)).getEncoded();

        writePem(
                keyFile,
                "PRIVATE KEY",
                PrivateKeyInfoFactory.createPrivateKeyInfo(keys.getPrivate()).getEncoded(),
                true);
        writePem(certificateFile, "CERTIFICATE", certificate, false);
    }

    /** SM3withSM2 with the default user id of GM/T 0009, as certificates use it. */
    private static final class Sm2Signer implements ContentSigner {
        private final SM2Signer signer = new SM2Signer();
        private final ByteArrayOutputStream tbs = new ByteArrayOutputStream();

        Sm2Signer(AsymmetricCipherKeyPair keys, SecureRandom random) {
            signer.init(true, new ParametersWithRandom(keys.getPrivate(), random));
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return SM3_WITH_SM2;
        }

        @Override
        public OutputStream getOutputStream() {
            return tbs;
        }

        @Override
        public byte[] getSignature() {
            byte[] data = tbs.toByteArray();
            signer.update(data, 0, data.length);
            try {
                return signer.generateSignature();
            } catch (CryptoException e) {
                throw new IllegalStateException("cannot sign the self-signed SM2 certificate", e);
            }
        }
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
