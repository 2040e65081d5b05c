package org.mailroom.keys.pkcs12.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.mailroom.api.keys.KeyException;
import org.mailroom.api.keys.WrappedKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-encryption keys of one PKCS#12 keystore file: its secret-key entries of a known
 * algorithm, by alias. The current key is the configured one, else the newest entry. The file is
 * read again when it changes (checked at most once a second); a file that no longer loads keeps
 * the keys read before. A data key is wrapped as nonce, then GCM ciphertext and tag, with the
 * key's alias as associated data, so wrapped octets do not verify under another alias.
 */
final class Pkcs12Keys {

    /** One key-encryption key. */
    record Kek(String alias, KekAlgorithm algorithm, Instant created, byte[] key) {}

    private static final Logger LOG = LoggerFactory.getLogger(Pkcs12Keys.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final long RECHECK_NANOS = 1_000_000_000L;
    private static final DateTimeFormatter ALIAS_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Pkcs12Settings settings;
    private final long recheckNanos;

    private record Loaded(Map<String, Kek> keys, FileTime modified, long size) {}

    private volatile Loaded loaded;
    private volatile long checkedAt;

    /**
     * Loads the keystore, first creating it with one key (and its password file) when it is
     * missing and the settings allow it.
     *
     * @throws IOException naming the file, if it cannot be created or read
     */
    Pkcs12Keys(Pkcs12Settings settings) throws IOException {
        this(settings, RECHECK_NANOS);
    }

    /** With the file looked at again at most every {@code recheckNanos}. */
    Pkcs12Keys(Pkcs12Settings settings, long recheckNanos) throws IOException {
        this.settings = settings;
        this.recheckNanos = recheckNanos;
        if (settings.generate() && !Files.exists(settings.keystore())) {
            create();
        }
        loaded = load();
        checkedAt = System.nanoTime();
        if (current(loaded) == null) {
            throw new IOException(
                    settings.currentKey() == null
                            ? "keystore " + settings.keystore() + " holds no SM4 or AES-256 secret key"
                            : "keystore " + settings.keystore() + " has no key " + settings.currentKey()
                                    + " (key currentKey)");
        }
    }

    Pkcs12Settings settings() {
        return settings;
    }

    String currentKeyId() throws KeyException {
        return currentKek().alias();
    }

    WrappedKey wrap(byte[] dataKey) throws KeyException {
        Kek kek = currentKek();
        byte[] nonce = new byte[KekAlgorithm.NONCE_OCTETS];
        RANDOM.nextBytes(nonce);
        byte[] sealed = kek.algorithm().seal(kek.key(), nonce, aad(kek.alias()), dataKey);
        byte[] out = Arrays.copyOf(nonce, nonce.length + sealed.length);
        System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
        return new WrappedKey(kek.alias(), out);
    }

    byte[] unwrap(WrappedKey wrapped) throws KeyException {
        Kek kek = keys().get(wrapped.keyId());
        if (kek == null) {
            throw new KeyException(
                    "no key " + wrapped.keyId() + " in keystore " + settings.keystore()
                            + " (removed, or another keystore)",
                    false);
        }
        byte[] octets = wrapped.wrapped();
        if (octets.length <= KekAlgorithm.NONCE_OCTETS) {
            throw new KeyException("wrapped data key under " + kek.alias() + " is too short", false);
        }
        try {
            return kek.algorithm()
                    .open(
                            kek.key(),
                            Arrays.copyOf(octets, KekAlgorithm.NONCE_OCTETS),
                            aad(kek.alias()),
                            octets,
                            KekAlgorithm.NONCE_OCTETS,
                            octets.length - KekAlgorithm.NONCE_OCTETS);
        } catch (InvalidCipherTextException e) {
            throw new KeyException("wrapped data key under " + kek.alias() + " fails authentication", false, e);
        }
    }

    /** The keys, oldest first. */
    List<Kek> list() {
        List<Kek> all = new ArrayList<>(keys().values());
        all.sort(Comparator.comparing(Kek::created).thenComparing(Kek::alias));
        return all;
    }

    String currentAlias() {
        Kek kek = current(loaded);
        return kek == null ? null : kek.alias();
    }

    /**
     * Adds a new key of the configured algorithm, which becomes the current one (unless
     * {@code currentKey} pins another), and writes the keystore file anew.
     *
     * @return the new key's alias
     */
    synchronized String rotate() throws IOException {
        Instant now = Instant.now();
        String alias = "kek-" + ALIAS_TIME.format(now);
        Map<String, Kek> keys = load().keys();
        for (int n = 2; keys.containsKey(alias); n++) {
            alias = "kek-" + ALIAS_TIME.format(now) + "-" + n;
        }
        KeyStore store = readKeystore();
        addKey(store, alias, settings.keyAlgorithm());
        writeKeystore(store);
        loaded = load();
        checkedAt = System.nanoTime();
        return alias;
    }

    private Kek currentKek() throws KeyException {
        Map<String, Kek> keys = keys();
        Kek kek = current(loaded);
        if (kek == null) {
            throw new KeyException(
                    "keystore " + settings.keystore() + " has no current key"
                            + (settings.currentKey() == null ? "" : " " + settings.currentKey()),
                    true);
        }
        return keys.get(kek.alias());
    }

    private Kek current(Loaded l) {
        if (settings.currentKey() != null) {
            return l.keys().get(settings.currentKey());
        }
        return l.keys().values().stream()
                .max(Comparator.comparing(Kek::created).thenComparing(Kek::alias))
                .orElse(null);
    }

    private Map<String, Kek> keys() {
        long now = System.nanoTime();
        if (now - checkedAt >= recheckNanos) {
            checkedAt = now;
            reloadIfChanged();
        }
        return loaded.keys();
    }

    private synchronized void reloadIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(settings.keystore());
            long size = Files.size(settings.keystore());
            if (modified.equals(loaded.modified()) && size == loaded.size()) {
                return;
            }
            Loaded next = load();
            if (current(next) == null) {
                LOG.error(
                        "Keystore {} changed but has no current key now; keeping the {} keys read before",
                        settings.keystore(),
                        loaded.keys().size());
                return;
            }
            loaded = next;
            LOG.info(
                    "Keystore {} reloaded: {} keys, current {}",
                    settings.keystore(),
                    next.keys().size(),
                    currentAlias());
        } catch (IOException e) {
            LOG.error(
                    "Keystore {} cannot be read again ({}); keeping the {} keys read before",
                    settings.keystore(),
                    e.getMessage(),
                    loaded.keys().size());
        }
    }

    private Loaded load() throws IOException {
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(settings.keystore());
            size = Files.size(settings.keystore());
        } catch (NoSuchFileException e) {
            throw new IOException("keystore " + settings.keystore() + " does not exist (key keystore)");
        }
        KeyStore store = readKeystore();
        char[] password = password();
        Map<String, Kek> keys = new LinkedHashMap<>();
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
                    continue;
                }
                SecretKey key = (SecretKey) store.getKey(alias, password);
                byte[] octets = key.getEncoded();
                KekAlgorithm algorithm = KekAlgorithm.ofEntry(key.getAlgorithm(), octets.length);
                if (algorithm == null) {
                    LOG.warn(
                            "Keystore {}: entry {} is {} with {} octets, neither SM4 nor AES-256; not used",
                            settings.keystore(),
                            alias,
                            key.getAlgorithm(),
                            octets.length);
                    continue;
                }
                Date created = store.getCreationDate(alias);
                keys.put(
                        alias,
                        new Kek(alias, algorithm, created == null ? Instant.EPOCH : created.toInstant(), octets));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("keystore " + settings.keystore() + ": " + e.getMessage(), e);
        }
        return new Loaded(Map.copyOf(keys), modified, size);
    }

    private KeyStore readKeystore() throws IOException {
        try (InputStream in = Files.newInputStream(settings.keystore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password());
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("keystore " + settings.keystore() + " cannot be read: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(
                    "keystore " + settings.keystore() + " cannot be read (wrong password in " + settings.passwordFile()
                            + "?): " + e.getMessage(),
                    e);
        }
    }

    private char[] password() throws IOException {
        try {
            String p = Files.readString(settings.passwordFile(), StandardCharsets.UTF_8)
                    .strip();
            if (p.isEmpty()) {
                throw new IOException("password file " + settings.passwordFile() + " is empty (key passwordFile)");
            }
            return p.toCharArray();
        } catch (NoSuchFileException e) {
            throw new IOException("password file " + settings.passwordFile() + " does not exist (key passwordFile)");
        }
    }

    /** A new keystore with one key, and a random password in its own file, both private to the owner. */
    private void create() throws IOException {
        Files.createDirectories(settings.keystore().getParent());
        if (!Files.exists(settings.passwordFile())) {
            Files.createDirectories(settings.passwordFile().getParent());
            byte[] random = new byte[24];
            RANDOM.nextBytes(random);
            writePrivate(
                    settings.passwordFile(),
                    (Base64.getEncoder().encodeToString(random) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            String alias = "kek-" + ALIAS_TIME.format(Instant.now());
            addKey(store, alias, settings.keyAlgorithm());
            writeKeystore(store);
            LOG.info(
                    "Created keystore {} with the {} key {}; its password is in {}. Back both up: mail encrypted under a lost key is lost",
                    settings.keystore(),
                    settings.keyAlgorithm().displayName,
                    alias,
                    settings.passwordFile());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot create keystore " + settings.keystore() + ": " + e.getMessage(), e);
        }
    }

    private void addKey(KeyStore store, String alias, KekAlgorithm algorithm) throws IOException {
        byte[] key = new byte[algorithm.keyOctets];
        RANDOM.nextBytes(key);
        try {
            store.setEntry(
                    alias,
                    new KeyStore.SecretKeyEntry(new SecretKeySpec(key, algorithm.keystoreAlgorithm)),
                    new KeyStore.PasswordProtection(password()));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot add key " + alias + " to " + settings.keystore() + ": " + e.getMessage(), e);
        }
    }

    /** Writes the keystore to a temporary file, then renames it over the old one. */
    private void writeKeystore(KeyStore store) throws IOException {
        Path tmp = settings.keystore().resolveSibling(settings.keystore().getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (OutputStream out = Files.newOutputStream(createPrivate(tmp))) {
            store.store(out, password());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write keystore " + tmp + ": " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, settings.keystore(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, settings.keystore(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Creates the file private to its owner from the start, so that no one else ever reads it. */
    private static void writePrivate(Path file, byte[] content) throws IOException {
        try (OutputStream out = Files.newOutputStream(createPrivate(file))) {
            out.write(content);
        }
    }

    private static Path createPrivate(Path file) throws IOException {
        try {
            return Files.createFile(
                    file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Path created = Files.createFile(file);
            setPrivate(created);
            return created;
        }
    }

    private static void setPrivate(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("Cannot make {} private to its owner: {}", file, e.toString());
        }
    }

    private static byte[] aad(String alias) {
        return ("mailroom data key|" + alias).getBytes(StandardCharsets.UTF_8);
    }
}
