package org.mailroom.store.maildir.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * @param root the directory that holds one Maildir per user
 * @param welcomeMessages a directory whose files are delivered into every new mailbox, or null
 * @param fsync whether deliveries and deletions are forced to disk before returning
 * @param encryptNewMessages whether new messages are written as envelopes of the message cipher
 * @param cipherWait how long a use of the message cipher waits for one to be registered
 */
record MaildirSettings(
        Path root, Path welcomeMessages, boolean fsync, boolean encryptNewMessages, Duration cipherWait) {

    static final Duration DEFAULT_CIPHER_WAIT = Duration.ofSeconds(3);

    MaildirSettings {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(cipherWait, "cipherWait");
    }

    /** Without encryption of new messages. */
    MaildirSettings(Path root, Path welcomeMessages, boolean fsync) {
        this(root, welcomeMessages, fsync, false, DEFAULT_CIPHER_WAIT);
    }

    /**
     * Validated settings; creates the root directory if it is missing.
     *
     * @param properties the raw configuration, to tell a misspelt {@code fsync} from {@code false}
     * @throws IllegalArgumentException naming the key of a bad value and why it is bad
     */
    static MaildirSettings from(MaildirStoreComponent.Config config, Map<String, ?> properties) {
        Path root = directory("root", config.root());
        try {
            Files.createDirectories(root);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("key root: cannot create " + root + ": " + e);
        }
        Path welcome = null;
        String welcomeValue = config.welcomeMessages();
        if (welcomeValue != null && !welcomeValue.isBlank()) {
            welcome = directory("welcomeMessages", welcomeValue);
            if (!Files.isDirectory(welcome)) {
                throw new IllegalArgumentException("key welcomeMessages: " + welcome + " is not a directory");
            }
        }
        checkBoolean(properties, "fsync");
        checkBoolean(properties, "encryptNewMessages");
        if (config.cipherWaitMillis() < 0 || config.cipherWaitMillis() > 60_000) {
            throw new IllegalArgumentException(
                    "key cipherWaitMillis: must be within 0..60000, not " + config.cipherWaitMillis());
        }
        return new MaildirSettings(
                root,
                welcome,
                config.fsync(),
                config.encryptNewMessages(),
                Duration.ofMillis(config.cipherWaitMillis()));
    }

    /** Declarative Services reads any text but "true" as false: "fsync = yes" would turn fsync off. */
    private static void checkBoolean(Map<String, ?> properties, String key) {
        if (properties.get(key) instanceof String text
                && !text.equalsIgnoreCase("true")
                && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("key " + key + ": must be true or false, not '" + text + "'");
        }
    }

    /** The absolute path the value names; a relative one is resolved against karaf.base. */
    private static Path directory(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("key " + key + ": missing; it must name a directory");
        }
        try {
            Path path = Path.of(value.trim());
            if (!path.isAbsolute()) {
                String base = System.getProperty("karaf.base");
                path = base == null ? path.toAbsolutePath() : Path.of(base).resolve(path);
            }
            return path.toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("key " + key + ": invalid path '" + value + "': " + e.getMessage());
        }
    }
}
