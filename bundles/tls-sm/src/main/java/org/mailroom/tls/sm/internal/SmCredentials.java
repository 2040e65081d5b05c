package org.mailroom.tls.sm.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * An SM2 private key and its X.509 certificate chain (leaf first), read from PEM files as
 * OpenSSL 3 writes them. Uses Bouncy Castle's lightweight API only, no JCA provider.
 */
public final class SmCredentials {

    private static final X9ECParameters SM2 = CustomNamedCurves.getByOID(GMObjectIdentifiers.sm2p256v1);

    private final ECPrivateKeyParameters privateKey;
    private final List<byte[]> chain;

    private SmCredentials(ECPrivateKeyParameters privateKey, List<byte[]> chain) {
        this.privateKey = privateKey;
        this.chain = chain;
    }

    /**
     * @param keyFile PEM "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" or "SM2 PRIVATE KEY" (SEC 1) on
     *     the SM2 curve, unencrypted
     * @param certFile PEM "CERTIFICATE"s, the leaf (whose key is the private key's) first
     * @throws CredentialsException naming the file that is unreadable, not an SM2 key, not a
     *     certificate, or whose certificate does not match the key
     */
    public static SmCredentials load(Path keyFile, Path certFile) throws CredentialsException {
        ECPrivateKeyParameters key = readKey(keyFile);
        List<byte[]> chain = readChain(certFile);
        ECPublicKeyParameters leafKey;
        try {
            AsymmetricKeyParameter pub =
                    PublicKeyFactory.createKey(new X509CertificateHolder(chain.get(0)).getSubjectPublicKeyInfo());
            if (!(pub instanceof ECPublicKeyParameters ec) || !isSm2(ec.getParameters())) {
                throw new CredentialsException(certFile + ": the certificate's key is not an SM2 key");
            }
            leafKey = ec;
        } catch (IOException | RuntimeException e) {
            throw new CredentialsException(certFile + ": cannot read the certificate's public key: " + e, e);
        }
        byte[] derived = key.getParameters().getG().multiply(key.getD()).getEncoded(false);
        if (!java.util.Arrays.equals(derived, leafKey.getQ().getEncoded(false))) {
            throw new CredentialsException(
                    certFile + ": the first certificate does not belong to the private key in " + keyFile);
        }
        return new SmCredentials(key, chain);
    }

    /** The SM2 private key. */
    public ECPrivateKeyParameters privateKey() {
        return privateKey;
    }

    /** DER encodings of the chain, leaf first; copies. */
    public List<byte[]> chain() {
        List<byte[]> copy = new ArrayList<>(chain.size());
        for (byte[] der : chain) {
            copy.add(der.clone());
        }
        return copy;
    }

    /** The chain as a TLS 1.3 Certificate message body (empty request context, no extensions). */
    Certificate tlsCertificate(TlsCrypto crypto) throws IOException {
        CertificateEntry[] entries = new CertificateEntry[chain.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new CertificateEntry(crypto.createCertificate(chain.get(i)), null);
        }
        return new Certificate(new byte[0], entries);
    }

    private static ECPrivateKeyParameters readKey(Path file) throws CredentialsException {
        PemObject pem;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            pem = parser.readPemObject();
        } catch (IOException | RuntimeException e) {
            throw new CredentialsException(file + ": cannot read the private key: " + e, e);
        }
        if (pem == null) {
            throw new CredentialsException(file + ": no PEM object (expected an SM2 PRIVATE KEY)");
        }
        PrivateKeyInfo info;
        try {
            switch (pem.getType()) {
                case "PRIVATE KEY" -> info = PrivateKeyInfo.getInstance(pem.getContent());
                case "EC PRIVATE KEY", "SM2 PRIVATE KEY" -> {
                    ECPrivateKey sec1 = ECPrivateKey.getInstance(pem.getContent());
                    ASN1Primitive params = sec1.getParametersObject() == null
                            ? GMObjectIdentifiers.sm2p256v1
                            : sec1.getParametersObject().toASN1Primitive();
                    info = new PrivateKeyInfo(
                            new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, params), sec1);
                }
                case "ENCRYPTED PRIVATE KEY" ->
                    throw new CredentialsException(
                            file + ": the private key is encrypted; an unencrypted SM2 key is needed");
                default ->
                    throw new CredentialsException(
                            file + ": holds a \"" + pem.getType() + "\", not an SM2 private key");
            }
        } catch (CredentialsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CredentialsException(file + ": malformed " + pem.getType() + ": " + e, e);
        }
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(info);
        } catch (IOException | RuntimeException e) {
            throw new CredentialsException(file + ": not an SM2 private key: " + e, e);
        }
        if (!(key instanceof ECPrivateKeyParameters ec) || !isSm2(ec.getParameters())) {
            throw new CredentialsException(file + ": the private key is not on the SM2 curve (sm2p256v1)");
        }
        return ec;
    }

    private static List<byte[]> readChain(Path file) throws CredentialsException {
        List<byte[]> chain = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    throw new CredentialsException(file + ": holds a "
                            + o.getClass().getSimpleName() + " where only X.509 certificates are expected");
                }
                chain.add(holder.getEncoded());
            }
        } catch (CredentialsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CredentialsException(file + ": not a PEM X.509 certificate chain: " + e, e);
        }
        if (chain.isEmpty()) {
            throw new CredentialsException(file + ": no CERTIFICATE in the file");
        }
        return chain;
    }

    private static boolean isSm2(ECDomainParameters domain) {
        // compared as numbers: the key's and our curve object may be different implementations
        return domain.getCurve()
                        .getField()
                        .getCharacteristic()
                        .equals(SM2.getCurve().getField().getCharacteristic())
                && domain.getCurve()
                        .getA()
                        .toBigInteger()
                        .equals(SM2.getCurve().getA().toBigInteger())
                && domain.getCurve()
                        .getB()
                        .toBigInteger()
                        .equals(SM2.getCurve().getB().toBigInteger())
                && java.util.Arrays.equals(
                        domain.getG().getEncoded(false), SM2.getG().getEncoded(false))
                && domain.getN().equals(SM2.getN());
    }

    /** A key or certificate file that cannot serve as RFC 8998 server credentials. */
    public static final class CredentialsException extends IOException {
        private static final long serialVersionUID = 1L;

        CredentialsException(String message) {
            super(message);
        }

        CredentialsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
