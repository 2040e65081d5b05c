package org.mailroom.auth.password.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.auth.PasswordScheme;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.auth.UserNames;
import org.mailroom.auth.password.internal.scheme.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users and password hashes from a Dovecot passwd-file. Lookups read an immutable snapshot;
 * reloads and writes build a new snapshot completely before swapping it in, and a file that does
 * not parse leaves the previous snapshot in force.
 */
public final class PasswordDirectory implements Authenticator, UserDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(PasswordDirectory.class);

    private record FileStamp(Instant modified, long size, Object key) {
        static FileStamp of(Path file) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileStamp(a.lastModifiedTime().toInstant(), a.size(), a.fileKey());
            } catch (NoSuchFileException e) {
                return null;
            }
        }
    }

    private final Path file;
    private final SchemeRegistry schemes;
    private final String defaultScheme;
    private final String noPrefixScheme;
    private final PasswdFileParser parser;
    private final Object lock = new Object();
    private final Map<String, String> dummyHashes = new ConcurrentHashMap<>();
    private final AuthCache cache;

    private volatile PasswdFile current;
    private volatile boolean retry;
    private FileStamp lastAttempt;
    private boolean attempted;
    private boolean lastFailed;

    public PasswordDirectory(Path file, SchemeRegistry schemes, String defaultScheme, String noPrefixScheme) {
        this(file, schemes, defaultScheme, noPrefixScheme, AuthCache.disabled());
    }

    PasswordDirectory(Path file, SchemeRegistry schemes, String defaultScheme, String noPrefixScheme, AuthCache cache) {
        this.file = file;
        this.cache = cache;
        this.schemes = schemes;
        this.defaultScheme = defaultScheme.toUpperCase(Locale.ROOT);
        this.noPrefixScheme = noPrefixScheme.toUpperCase(Locale.ROOT);
        this.parser = new PasswdFileParser(schemes::known, this.noPrefixScheme);
    }

    public Path file() {
        return file;
    }

    /** Whether a good version of the file has been loaded since start. */
    public boolean loaded() {
        return current != null;
    }

    /** Tells the directory that schemes came or went, so a file rejected for them is read again. */
    public void schemesChanged() {
        retry = true;
    }

    /**
     * Reads the file if it changed (modification time, size or identity) since the last attempt,
     * or if schemes changed after a failed attempt.
     *
     * @return whether a new version was loaded
     */
    public boolean reloadIfChanged() {
        synchronized (lock) {
            FileStamp stamp;
            try {
                stamp = FileStamp.of(file);
            } catch (IOException e) {
                LOG.error("Users file {}: cannot read its attributes: {}", file, e.toString());
                return false;
            }
            boolean again = retry && lastFailed;
            retry = false;
            if (attempted && Objects.equals(stamp, lastAttempt) && !again) {
                return false;
            }
            attempted = true;
            lastAttempt = stamp;
            lastFailed = true;
            if (stamp == null) {
                LOG.warn("Users file {} does not exist (mail:user-add creates it); {}", file, keeping());
                return false;
            }
            try {
                PasswdFile parsed = parser.parse(file);
                current = parsed;
                lastFailed = false;
                LOG.info("Users file {}: loaded {} users", file, parsed.users().size());
                closeToOthers(file);
                return true;
            } catch (PasswdFileException e) {
                LOG.error("Users file {}, line {}: {}; {}", file, e.line(), e.reason(), keeping());
            } catch (IOException e) {
                LOG.error("Users file {}: {}; {}", file, e.toString(), keeping());
            }
            return false;
        }
    }

    /**
     * The file holds password hashes: a copy readable by every local account (as a tarball or a
     * copy may leave it) is made private to its owner and group, and the log says so.
     */
    static void closeToOthers(Path file) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions =
                    view.readAttributes().permissions();
            if (permissions.removeAll(java.util.EnumSet.of(
                    java.nio.file.attribute.PosixFilePermission.OTHERS_READ,
                    java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE,
                    java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE))) {
                view.setPermissions(permissions);
                LOG.warn(
                        "Users file {} was readable by every local account; its permissions are now {}",
                        file,
                        java.nio.file.attribute.PosixFilePermissions.toString(permissions));
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.warn(
                    "Users file {} may be readable by every local account and its permissions cannot be changed: {}",
                    file,
                    e.toString());
        }
    }

    private String keeping() {
        PasswdFile c = current;
        return c == null
                ? "no users are loaded"
                : "keeping the previous " + c.users().size() + " users";
    }

    @Override
    public AuthResult authenticate(Credentials credentials) {
        if (!(credentials instanceof PasswordCredentials pc)) {
            return AuthResult.invalid(credentials.user(), "unsupported credential type " + credentials.type());
        }
        String user = pc.user();
        String password = pc.password();
        if (password.isEmpty()) {
            return AuthResult.invalid(user, "empty password");
        }
        PasswdFile snapshot = current;
        if (snapshot == null) {
            return AuthResult.unavailable(user, "users file " + file + " is not loaded");
        }
        PasswdEntry entry = snapshot.users().get(user);
        if (entry == null || entry.hash().isEmpty()) {
            String reason = entry == null ? "unknown user" : "user has no password";
            if (cache.lookup(user, null, password) == null) {
                verifyDummy(password);
                cache.record(user, null, password, false);
            }
            return AuthResult.invalid(user, reason);
        }
        String schemeName = entry.scheme() == null ? noPrefixScheme : entry.scheme();
        PasswordScheme scheme = schemes.get(schemeName);
        if (scheme == null) {
            return AuthResult.unavailable(user, "password scheme " + schemeName + " is not available");
        }
        String stored = schemeName + ":" + entry.hash();
        Boolean cached = cache.lookup(user, stored, password);
        if (cached != null) {
            return cached ? AuthResult.success(user) : AuthResult.invalid(user, "wrong password");
        }
        boolean ok;
        try {
            ok = scheme.verify(password, entry.hash());
        } catch (RuntimeException e) {
            LOG.warn("Password scheme {} failed verifying user {}: {}", schemeName, user, e.toString());
            return AuthResult.unavailable(user, "password scheme " + schemeName + " failed");
        }
        cache.record(user, stored, password, ok);
        return ok ? AuthResult.success(user) : AuthResult.invalid(user, "wrong password");
    }

    /** Spends about the time a real verification would, so unknown users cannot be told apart. */
    private void verifyDummy(String password) {
        PasswordScheme scheme = schemes.get(defaultScheme);
        if (scheme == null) {
            return;
        }
        try {
            String hash = dummyHashes.computeIfAbsent(
                    defaultScheme,
                    k -> scheme.encode(java.util.Base64.getEncoder().encodeToString(Secrets.randomBytes(24))));
            scheme.verify(password, hash);
        } catch (RuntimeException e) {
            LOG.debug("Dummy verification with {} failed: {}", defaultScheme, e.toString());
        }
    }

    @Override
    public List<String> users() {
        PasswdFile snapshot = current;
        if (snapshot == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>(snapshot.users().keySet());
        names.sort(null);
        return names;
    }

    @Override
    public boolean exists(String user) {
        PasswdFile snapshot = current;
        return snapshot != null && snapshot.users().containsKey(user);
    }

    @Override
    public void add(String user, String password) throws IOException {
        UserNames.check(user);
        String stored = hashForStorage(password);
        synchronized (lock) {
            PasswdFile base = readForWrite();
            if (base.users().containsKey(user)) {
                throw new IllegalArgumentException("user " + user + " already exists");
            }
            List<String> lines = new ArrayList<>(base.lines());
            lines.add(user + ":" + stored);
            write(lines);
        }
    }

    @Override
    public void setPassword(String user, String password) throws IOException {
        String stored = hashForStorage(password);
        synchronized (lock) {
            PasswdFile base = readForWrite();
            PasswdEntry entry = base.users().get(user);
            if (entry == null) {
                throw new IllegalArgumentException("no such user: " + user);
            }
            List<String> lines = new ArrayList<>(base.lines());
            String old = lines.get(entry.line() - 1);
            String afterUser = old.substring(user.length() + 1);
            int colon = afterUser.indexOf(':');
            String rest = colon < 0 ? "" : afterUser.substring(colon);
            lines.set(entry.line() - 1, user + ":" + stored + rest);
            write(lines);
        }
    }

    @Override
    public boolean remove(String user) throws IOException {
        synchronized (lock) {
            PasswdFile base = readForWrite();
            PasswdEntry entry = base.users().get(user);
            if (entry == null) {
                return false;
            }
            List<String> lines = new ArrayList<>(base.lines());
            lines.remove(entry.line() - 1);
            write(lines);
            return true;
        }
    }

    private String hashForStorage(String password) throws IOException {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("empty password");
        }
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("password contains a line break");
        }
        PasswordScheme scheme = schemes.get(defaultScheme);
        if (scheme == null) {
            throw new IOException("password scheme " + defaultScheme + " is not available");
        }
        String hash = scheme.encode(password);
        if (hash.indexOf(':') >= 0 || hash.indexOf('\n') >= 0) {
            throw new IOException(
                    "password scheme " + defaultScheme + " produced a value that a passwd-file cannot hold");
        }
        return "{" + defaultScheme + "}" + hash;
    }

    /** The file as it is on disk now; writes are refused while it has errors. */
    private PasswdFile readForWrite() throws IOException {
        try {
            return parser.parse(file);
        } catch (NoSuchFileException e) {
            return PasswdFile.EMPTY;
        } catch (PasswdFileException e) {
            throw new IOException(
                    "users file " + file + " has an error on line " + e.line() + ": " + e.reason()
                            + "; fix it before changing users",
                    e);
        }
    }

    private void write(List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
        try {
            current = parser.parse(file);
        } catch (PasswdFileException e) {
            throw new IOException("users file " + file + " does not parse after writing it: " + e.getMessage(), e);
        }
        lastAttempt = FileStamp.of(file);
        attempted = true;
        lastFailed = false;
    }

    /** Writes a temporary file beside the target, syncs it, and renames it over the target. */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            copyOwnershipAndMode(abs, tmp);
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + abs + " atomically: " + e.getMessage(), e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                LOG.debug("Cannot sync directory {}: {}", dir, e.toString());
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void copyOwnershipAndMode(Path from, Path to) {
        PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (src == null || dst == null || !Files.exists(from)) {
            return;
        }
        try {
            PosixFileAttributes a = src.readAttributes();
            dst.setPermissions(a.permissions());
            if (!a.owner().equals(dst.getOwner())) {
                dst.setOwner(a.owner());
            }
            dst.setGroup(a.group());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.debug("Cannot copy owner and mode of {}: {}", from, e.toString());
        }
    }
}
