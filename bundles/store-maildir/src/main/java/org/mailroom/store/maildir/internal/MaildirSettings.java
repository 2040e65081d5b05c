package org.mailroom.store.maildir.internal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * @param root the directory that holds one Maildir per user
 * @param welcomeMessages a directory whose files are delivered into every new mailbox, or null
 * @param fsync whether deliveries and deletions are forced to disk before returning
 */
record MaildirSettings(Path root, Path welcomeMessages, boolean fsync) {

    MaildirSettings {
        Objects.requireNonNull(root, "root");
    }
}
