package org.mailroom.auth.oauth2.internal;

import com.nimbusds.jwt.JWT;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.BearerCredentials;
import org.mailroom.filter.daemon.CfgValues;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One identity provider per factory configuration {@code etc/org.mailroom.auth.oauth2.issuer-NAME.cfg},
 * registered as an {@link Issuer} for {@link OAuth2Authenticator}. An edit with a bad value is
 * logged with the file and key, and the previous settings stay.
 */
@Component(
        service = Issuer.class,
        configurationPid = IssuerComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class IssuerComponent implements Issuer {

    static final String PID = "org.mailroom.auth.oauth2.issuer";

    private static final Logger LOG = LoggerFactory.getLogger(IssuerComponent.class);

    private record Provider(Issuer issuer, ProviderHttp http) {}

    private volatile Provider provider;

    @Activate
    void activate(Map<String, Object> properties) {
        IssuerSettings settings = CfgValues.required(
                properties, PID, "the OAuth2 issuer " + CfgValues.file(properties, PID), IssuerSettings::of);
        provider = provider(settings, properties);
        LOG.info("OAuth2 {} from {}", settings, CfgValues.file(properties, PID));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        CfgValues.changed(properties, PID, IssuerSettings::of).ifPresent(settings -> {
            Provider old = provider;
            if (settings.equals(old.issuer().settings())) {
                return; // the same settings (ConfigAdmin re-delivering them): keep the fetched keys and answers
            }
            try {
                provider = provider(settings, properties);
            } catch (IllegalArgumentException e) {
                return; // logged; the previous settings stay
            }
            close(old);
            LOG.info("OAuth2 {} from {}", settings, CfgValues.file(properties, PID));
        });
    }

    @Deactivate
    void deactivate() {
        close(provider);
    }

    @Override
    public IssuerSettings settings() {
        return provider.issuer().settings();
    }

    @Override
    public AuthResult check(BearerCredentials token, JWT jwt) {
        return provider.issuer().check(token, jwt);
    }

    private static Provider provider(IssuerSettings settings, Map<String, ?> properties) {
        ProviderHttp http = new ProviderHttp(settings.timeout(), tls(settings, properties));
        Clock clock = Clock.systemUTC();
        Issuer issuer = settings.mode() == IssuerSettings.Mode.JWT
                ? new JwtIssuer(settings, http, clock)
                : new IntrospectionIssuer(settings, http, clock);
        return new Provider(issuer, http);
    }

    /** The JDK's trusted certificates, or those of {@code caFile}. */
    private static SSLContext tls(IssuerSettings settings, Map<String, ?> properties) {
        try {
            if (settings.caFile() == null) {
                return SSLContext.getDefault();
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            try (InputStream in = Files.newInputStream(settings.caFile())) {
                int n = 0;
                for (Certificate certificate :
                        CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trusted.setCertificateEntry("ca-" + n++, certificate);
                }
                if (n == 0) {
                    throw new IllegalArgumentException("no certificate in it");
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            String problem = "Bad configuration in " + CfgValues.file(properties, PID) + ": key caFile: "
                    + settings.caFile() + ": " + e.getMessage();
            LOG.error(problem);
            throw new IllegalArgumentException(problem, e);
        }
    }

    private static void close(Provider provider) {
        if (provider == null) {
            return;
        }
        if (provider.issuer() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("closing the key source", e);
            }
        }
        provider.http().close();
    }
}
