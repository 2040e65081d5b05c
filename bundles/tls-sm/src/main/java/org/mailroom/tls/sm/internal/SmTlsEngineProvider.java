package org.mailroom.tls.sm.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import org.mailroom.api.tls.ClientHello;
import org.mailroom.api.tls.TlsEngineProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 8998 TLS (TLS 1.3, TLS_SM4_GCM_SM3, an SM2 certificate) for the clients that offer it, on
 * the same listeners as the JDK's TLS; configuration PID {@value #PID}. The certificate and key
 * files are checked for changes at most once a second; files that do not load are logged and the
 * previous ones stay in use. A bad first configuration leaves it unregistered, so every client
 * gets the JDK's TLS.
 */
@Component(
        service = TlsEngineProvider.class,
        configurationPid = SmTlsEngineProvider.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = TlsEngineProvider.NAME + "=rfc8998")
public class SmTlsEngineProvider implements TlsEngineProvider {

    static final String PID = "org.mailroom.tls.sm";

    private static final Logger LOG = LoggerFactory.getLogger(SmTlsEngineProvider.class);
    private static final long RECHECK_NANOS = 1_000_000_000L;

    private record Loaded(SmTlsSettings settings, SmCredentials credentials, FileTime certTime, FileTime keyTime) {}

    private volatile Loaded loaded;
    private volatile long checkedNanos;

    @Activate
    void activate(Map<String, Object> properties) {
        try {
            loaded = load(SmTlsSettings.from(properties));
        } catch (IllegalArgumentException | IOException e) {
            LOG.error("Bad configuration in {}: {}; RFC 8998 TLS is not offered", file(properties), e.getMessage());
            throw new IllegalStateException(e.getMessage(), e);
        }
        LOG.info(
                "RFC 8998 TLS offered with the SM2 certificate {}",
                loaded.settings().certificate());
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            loaded = load(SmTlsSettings.from(properties));
        } catch (IllegalArgumentException | IOException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous SM2 certificate {} stays in use",
                    file(properties),
                    e.getMessage(),
                    loaded.settings().certificate());
        }
    }

    private static Loaded load(SmTlsSettings s) throws IOException {
        if (s.selfSigned() && Files.notExists(s.certificate()) && Files.notExists(s.privateKey())) {
            SmSelfSigned.generate(s.certificate(), s.privateKey());
            LOG.warn(
                    "Generated a self-signed SM2 certificate {} (key {}): clients will not trust it; replace both"
                            + " files with a certificate from a CA they trust",
                    s.certificate(),
                    s.privateKey());
        }
        FileTime certTime = Files.getLastModifiedTime(s.certificate());
        FileTime keyTime = Files.getLastModifiedTime(s.privateKey());
        return new Loaded(s, SmCredentials.load(s.privateKey(), s.certificate()), certTime, keyTime);
    }

    @Override
    public boolean serves(ClientHello hello, String listener) {
        return loaded.settings().offeredOn(listener) && Rfc8998Server.offeredBy(hello);
    }

    @Override
    public SSLEngine newServerEngine(InetSocketAddress peer, String listener) {
        return new Rfc8998Engine(current().credentials(), peer.getHostString(), peer.getPort());
    }

    private Loaded current() {
        Loaded l = loaded;
        long now = System.nanoTime();
        if (now - checkedNanos < RECHECK_NANOS) {
            return l;
        }
        checkedNanos = now;
        try {
            if (!Files.getLastModifiedTime(l.settings().certificate()).equals(l.certTime())
                    || !Files.getLastModifiedTime(l.settings().privateKey()).equals(l.keyTime())) {
                Loaded next = load(l.settings());
                loaded = next;
                LOG.info(
                        "RFC 8998 TLS now uses the SM2 certificate {} as changed",
                        next.settings().certificate());
                return next;
            }
        } catch (IOException e) {
            LOG.error(
                    "The SM2 certificate {} or key {} does not load ({}); the previous ones stay in use",
                    l.settings().certificate(),
                    l.settings().privateKey(),
                    e.getMessage());
        }
        return l;
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }
}
