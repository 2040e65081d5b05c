package org.mailroom.tls.sm.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A Bouncy Castle TLS client that offers RFC 8998 only (or other suites, for failures) and checks
 * that the server presents the expected certificate.
 */
final class SmTestClient extends DefaultTlsClient {

    private final int[] suites;
    private final byte[] expectedCertificate;
    volatile byte[] serverCertificate;
    volatile boolean handshakeComplete;

    /** Offers TLSv1.3, TLS_SM4_GCM_SM3, sm2sig_sm3 and curveSM2 only. */
    static SmTestClient rfc8998(byte[] expectedCertificate) {
        return new SmTestClient(new int[] {CipherSuite.TLS_SM4_GCM_SM3}, expectedCertificate);
    }

    SmTestClient(int[] suites, byte[] expectedCertificate) {
        super(new BcTlsCrypto(new SecureRandom()));
        this.suites = suites.clone();
        this.expectedCertificate = expectedCertificate;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.TLSv13.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return suites.clone();
    }

    @Override
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
        Vector<Integer> groups = new Vector<>();
        groups.add(NamedGroup.curveSM2);
        return groups;
    }

    @Override
    protected Vector getSupportedSignatureAlgorithms() {
        Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
        algorithms.add(SignatureAndHashAlgorithm.sm2sig_sm3);
        return algorithms;
    }

    @Override
    protected Vector getSNIServerNames() {
        Vector<ServerName> names = new Vector<>();
        names.add(new ServerName(org.bouncycastle.tls.NameType.host_name, "localhost".getBytes()));
        return names;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        handshakeComplete = true;
    }

    int selectedCipherSuite() {
        return context.getSecurityParametersConnection().getCipherSuite();
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate certificate) throws IOException {
                byte[] der = certificate.getCertificate().getCertificateAt(0).getEncoded();
                serverCertificate = der;
                if (expectedCertificate != null && !Arrays.equals(der, expectedCertificate)) {
                    throw new TlsFatalAlert(AlertDescription.bad_certificate, "not the openssl-made certificate");
                }
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) {
                return null;
            }
        };
    }
}
