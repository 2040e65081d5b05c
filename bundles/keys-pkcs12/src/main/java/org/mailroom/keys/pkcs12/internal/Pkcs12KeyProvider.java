package org.mailroom.keys.pkcs12.internal;

import java.io.IOException;
import java.util.Map;
import org.mailroom.api.keys.KeyException;
import org.mailroom.api.keys.KeyProvider;
import org.mailroom.api.keys.WrappedKey;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link KeyProvider} of a PKCS#12 keystore file; configuration PID {@value #PID}. A bad
 * first configuration, or a keystore that cannot be read, leaves it unregistered with the file,
 * key and reason in the log; a bad edit later keeps the previous keystore in use.
 */
@Component(
        service = {KeyProvider.class, Pkcs12KeyProvider.class},
        configurationPid = Pkcs12KeyProvider.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = KeyProvider.NAME + "=pkcs12")
public class Pkcs12KeyProvider implements KeyProvider {

    static final String PID = "org.mailroom.keys.pkcs12";

    private static final Logger LOG = LoggerFactory.getLogger(Pkcs12KeyProvider.class);

    private volatile Pkcs12Keys keys;

    @Activate
    void activate(Map<String, Object> properties) {
        try {
            keys = open(properties);
        } catch (IllegalArgumentException | IOException e) {
            LOG.error("Bad configuration in {}: {}; no key provider is registered", file(properties), e.getMessage());
            throw new IllegalStateException(e.getMessage(), e);
        }
        LOG.info(
                "Key provider pkcs12 serving {} ({} keys, current {})",
                keys.settings().keystore(),
                keys.list().size(),
                keys.currentAlias());
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            keys = open(properties);
        } catch (IllegalArgumentException | IOException e) {
            LOG.error(
                    "Bad configuration in {}: {}; keys of {} stay in use",
                    file(properties),
                    e.getMessage(),
                    keys.settings().keystore());
            return;
        }
        LOG.info(
                "Key provider pkcs12 now serving {} (current {})",
                keys.settings().keystore(),
                keys.currentAlias());
    }

    private static Pkcs12Keys open(Map<String, Object> properties) throws IOException {
        return new Pkcs12Keys(Pkcs12Settings.from(properties));
    }

    Pkcs12Keys keys() {
        return keys;
    }

    @Override
    public String currentKeyId() throws KeyException {
        return keys.currentKeyId();
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) throws KeyException {
        return keys.wrap(dataKey);
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped) throws KeyException {
        return keys.unwrap(wrapped);
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }
}
