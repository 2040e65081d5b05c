package org.mailroom.store.crypt.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import org.mailroom.api.keys.KeyException;
import org.mailroom.api.keys.KeyProvider;
import org.mailroom.api.keys.WrappedKey;
import org.mailroom.api.store.DamagedMessageException;
import org.mailroom.api.store.MessageCipher;
import org.mailroom.api.store.StoreException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageCipher}: {@link Envelope}s with a fresh data key per message, wrapped by the
 * {@link KeyProvider} registered at the time; configuration PID {@value #PID}. A provider that is
 * away (its bundle being updated) is waited for up to {@code keyWaitMillis}, then the operation
 * fails as temporary.
 */
@Component(
        service = MessageCipher.class,
        configurationPid = EnvelopeCipher.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public class EnvelopeCipher implements MessageCipher {

    static final String PID = "org.mailroom.store.crypt";

    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeCipher.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Object keysChanged = new Object();

    private volatile KeyProvider keys;

    private volatile CipherSettings settings;

    public EnvelopeCipher() {}

    EnvelopeCipher(KeyProvider keys, CipherSettings settings) {
        this.keys = keys;
        this.settings = settings;
    }

    /**
     * A cipher outside a framework (the tests of the stores that use it): new envelopes in
     * {@code algorithm} (SM4-GCM or AES-256-GCM) with data keys wrapped by {@code keys}.
     */
    public static EnvelopeCipher standalone(KeyProvider keys, String algorithm) {
        return new EnvelopeCipher(keys, CipherSettings.from(Map.of("algorithm", algorithm, "keyWaitMillis", "0")));
    }

    @Activate
    void activate(Map<String, Object> properties) {
        try {
            settings = CipherSettings.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the message cipher stays inactive", file(properties), e.getMessage());
            throw e;
        }
        LOG.info("Message cipher: new messages in {}", settings.algorithm().displayName);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            settings = CipherSettings.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad configuration in {}: {}; the previous settings stay in force",
                    file(properties),
                    e.getMessage());
            return;
        }
        LOG.info("Message cipher: new messages in {}", settings.algorithm().displayName);
    }

    /** A provider that arrives wakes up the operations waiting for one. */
    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindKeys")
    void bindKeys(KeyProvider provider) {
        keys = provider;
        synchronized (keysChanged) {
            keysChanged.notifyAll();
        }
    }

    void unbindKeys(KeyProvider provider) {
        if (keys == provider) {
            keys = null;
        }
    }

    @Override
    public String algorithm() {
        return settings.algorithm().displayName;
    }

    @Override
    public OutputStream encrypt(OutputStream file) throws StoreException {
        DataAlgorithm algorithm = settings.algorithm();
        byte[] dataKey = new byte[algorithm.keyOctets];
        RANDOM.nextBytes(dataKey);
        WrappedKey wrapped;
        try {
            wrapped = provider().wrap(dataKey);
        } catch (KeyException e) {
            throw new StoreException("cannot wrap a data key: " + e.getMessage(), e.isTemporary(), e);
        }
        try {
            return new SealingOutputStream(file, Envelope.newHeader(algorithm, wrapped), dataKey);
        } catch (IOException e) {
            throw new StoreException("cannot write the envelope header: " + e, true, e);
        }
    }

    @Override
    public void verify(InputStream file, String name) throws StoreException {
        try (InputStream plain = decrypt(file, name)) {
            byte[] buffer = new byte[Envelope.SEGMENT_OCTETS];
            while (plain.read(buffer) >= 0) {
                // Reading authenticates every segment.
            }
        } catch (OpeningInputStream.DamagedException e) {
            throw new DamagedMessageException(e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreException(name + ": cannot be read: " + e, true, e);
        }
    }

    @Override
    public InputStream decrypt(InputStream file, String name) throws StoreException {
        try {
            Envelope.Header header = header(file, name);
            return new OpeningInputStream(file, name, header, dataKey(header, name));
        } catch (IOException e) {
            throw new StoreException(name + ": cannot be read: " + e, true, e);
        }
    }

    @Override
    public boolean rewrap(InputStream file, OutputStream out, String name) throws StoreException {
        try {
            Envelope.Header header = header(file, name);
            KeyProvider provider = provider();
            String current;
            try {
                current = provider.currentKeyId();
            } catch (KeyException e) {
                throw new StoreException("no current key: " + e.getMessage(), e.isTemporary(), e);
            }
            if (header.key().keyId().equals(current)) {
                return false;
            }
            byte[] dataKey = dataKey(header, name);
            WrappedKey rewrapped;
            try {
                rewrapped = provider.wrap(dataKey);
            } catch (KeyException e) {
                throw new StoreException("cannot wrap a data key: " + e.getMessage(), e.isTemporary(), e);
            } finally {
                Arrays.fill(dataKey, (byte) 0);
            }
            new Envelope.Header(header.fixed(), header.algorithm(), header.segmentOctets(), rewrapped).write(out);
            file.transferTo(out);
            return true;
        } catch (IOException e) {
            throw new StoreException(name + ": cannot be re-wrapped: " + e, true, e);
        }
    }

    private static Envelope.Header header(InputStream file, String name) throws IOException, StoreException {
        try {
            return Envelope.readHeader(file);
        } catch (Envelope.FormatException e) {
            throw new DamagedMessageException(name + ": " + e.getMessage(), e);
        }
    }

    private byte[] dataKey(Envelope.Header header, String name) throws StoreException {
        byte[] key;
        try {
            key = provider().unwrap(header.key());
        } catch (KeyException e) {
            if (e.isTemporary()) {
                throw new StoreException(
                        name + ": key " + header.key().keyId() + " unavailable: " + e.getMessage(), true, e);
            }
            throw new DamagedMessageException(name + ": " + e.getMessage(), e);
        }
        if (key.length != header.algorithm().keyOctets) {
            throw new DamagedMessageException(name + ": the data key has " + key.length + " octets, "
                    + header.algorithm().displayName + " needs " + header.algorithm().keyOctets);
        }
        return key;
    }

    /** The key provider, waiting up to keyWaitMillis for one to be registered. */
    private KeyProvider provider() throws StoreException {
        KeyProvider p = keys;
        if (p != null) {
            return p;
        }
        long deadline = System.nanoTime() + settings.keyWaitMillis() * 1_000_000L;
        synchronized (keysChanged) {
            while ((p = keys) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StoreException(
                            "no key provider is registered (is mailroom-keys-pkcs12 installed?)", true);
                }
                try {
                    keysChanged.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted waiting for a key provider", true, e);
                }
            }
        }
        return p;
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }
}
