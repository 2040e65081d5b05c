package org.mailroom.tls.sm.internal;

import java.io.IOException;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.mailroom.api.tls.ClientHello;

/**
 * The server side of an RFC 8998 handshake for Bouncy Castle's TlsServerProtocol: TLS 1.3 only,
 * the SM4 suites only, key exchange on curveSM2, and the SM2 certificate signing with
 * sm2sig_sm3. One instance per connection; it records how the handshake went for the engine.
 */
final class Rfc8998Server extends AbstractTlsServer {

    /** The RFC 8998 suites, preferred first. */
    static final int[] SUITES = {CipherSuite.TLS_SM4_GCM_SM3, CipherSuite.TLS_SM4_CCM_SM3};

    static final int TLS_SM4_GCM_SM3 = 0x00C6;
    static final int SM2SIG_SM3 = 0x0708;

    private final BcTlsCrypto crypto;
    private final SmCredentials credentials;
    private final int[] enabledSuites;

    private volatile boolean handshakeComplete;
    private volatile boolean closeNotifyReceived;
    private volatile String failure;

    /** @param enabledSuites a non-empty subset of {@link #SUITES} that the crypto supports */
    Rfc8998Server(BcTlsCrypto crypto, SmCredentials credentials, int[] enabledSuites) {
        super(crypto);
        this.crypto = crypto;
        this.credentials = credentials;
        this.enabledSuites = enabledSuites.clone();
    }

    /** True if the client can speak RFC 8998: TLS 1.3 with TLS_SM4_GCM_SM3 and sm2sig_sm3. */
    static boolean offeredBy(ClientHello hello) {
        return hello.supportedVersions().contains(ClientHello.TLS13)
                && hello.cipherSuites().contains(TLS_SM4_GCM_SM3)
                && hello.signatureAlgorithms().contains(SM2SIG_SM3);
    }

    /** The suites of {@link #SUITES} that the crypto implements. */
    static int[] implementedSuites(BcTlsCrypto crypto) {
        return TlsUtils.getSupportedCipherSuites(crypto, SUITES);
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.TLSv13.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return enabledSuites.clone();
    }

    @Override
    public int[] getSupportedGroups() {
        // RFC 8998 section 3.2: the SM4 suites key-exchange on curveSM2
        return new int[] {NamedGroup.curveSM2};
    }

    @Override
    protected boolean preferLocalCipherSuites() {
        return true;
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
        Vector<?> clientSigAlgs = context.getSecurityParametersHandshake().getClientSigAlgs();
        if (clientSigAlgs == null
                || !TlsUtils.containsSignatureAlgorithm(clientSigAlgs, SignatureAndHashAlgorithm.sm2sig_sm3)) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "client does not offer sm2sig_sm3");
        }
        return new BcDefaultTlsCredentialedSigner(
                new TlsCryptoParameters(context),
                crypto,
                credentials.privateKey(),
                credentials.tlsCertificate(crypto),
                SignatureAndHashAlgorithm.sm2sig_sm3);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        handshakeComplete = true;
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        if (alertLevel == AlertLevel.fatal && failure == null) {
            failure = "sent " + AlertDescription.getText(alertDescription) + (message == null ? "" : ": " + message);
        }
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        if (alertDescription == AlertDescription.close_notify) {
            closeNotifyReceived = true;
        } else if (alertLevel == AlertLevel.fatal && failure == null) {
            failure = "received " + AlertDescription.getText(alertDescription);
        }
    }

    boolean isHandshakeComplete() {
        return handshakeComplete;
    }

    boolean isCloseNotifyReceived() {
        return closeNotifyReceived;
    }

    /** What the first fatal alert was about, or null. */
    String failure() {
        return failure;
    }

    /** The negotiated suite, valid once the handshake is complete. */
    int selectedCipherSuite() {
        return context.getSecurityParametersConnection().getCipherSuite();
    }
}
