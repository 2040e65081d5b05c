package org.mailroom.auth.oauth2.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mailroom.api.auth.UserNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** From the user a token names (its user claim) to the local user, by an issuer's rule. */
final class UserMapping {

    private static final Logger LOG = LoggerFactory.getLogger(UserMapping.class);

    enum Kind {
        /** The claim is the local user name. */
        AS_IS,
        /** {@code alice@example.com} is {@code alice}, for the domains listed; other domains are refused. */
        STRIP_DOMAIN,
        /** Lines {@code claim-value = local-user} of a file, read again when it changes. */
        FILE
    }

    /** The local user, or why there is none. */
    record Mapped(String user, String problem) {}

    private final Kind kind;
    private final Set<String> domains;
    private final Path file;
    private Map<String, String> table = Map.of();
    private FileTime tableTime;
    private boolean tableRead;
    private boolean missingReported;

    UserMapping(Kind kind, Set<String> domains, Path file) {
        this.kind = kind;
        this.domains = domains;
        this.file = file;
    }

    /** @param claim the user claim's value */
    Mapped map(String claim) {
        String user;
        switch (kind) {
            case AS_IS -> user = claim;
            case STRIP_DOMAIN -> {
                int at = claim.lastIndexOf('@');
                if (at < 0) {
                    return new Mapped(null, "user '" + claim + "' has no domain to strip");
                }
                String domain = claim.substring(at + 1).toLowerCase(Locale.ROOT);
                if (!domains.contains(domain)) {
                    return new Mapped(null, "user '" + claim + "' is not in a domain of this server " + domains);
                }
                user = claim.substring(0, at);
            }
            case FILE -> {
                user = table().get(claim);
                if (user == null) {
                    return new Mapped(null, "user '" + claim + "' is not in " + file);
                }
            }
            default -> throw new IllegalStateException(kind.name());
        }
        String problem = UserNames.problem(user);
        return problem == null ? new Mapped(user, null) : new Mapped(null, "user '" + claim + "': " + problem);
    }

    /** The file's table, read again when its time changed; a file with a bad line leaves the previous one. */
    private synchronized Map<String, String> table() {
        FileTime time;
        try {
            time = Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            if (!missingReported) {
                LOG.error("User mapping file {} is missing; no token user maps until it exists", file);
                missingReported = true;
            }
            tableRead = false;
            table = Map.of();
            return table;
        } catch (IOException e) {
            LOG.error("User mapping file {} cannot be read ({}); the previous mapping stays", file, e.toString());
            return table;
        }
        if (tableRead && time.equals(tableTime)) {
            return table;
        }
        tableTime = time;
        tableRead = true;
        missingReported = false;
        try {
            table = parse(Files.readAllLines(file, UTF_8));
            LOG.info("User mapping file {}: {} users", file, table.size());
        } catch (IOException e) {
            LOG.error("User mapping file {} cannot be read ({}); the previous mapping stays", file, e.toString());
        } catch (IllegalArgumentException e) {
            LOG.error("Bad user mapping file {}: {}; the previous mapping stays", file, e.getMessage());
        }
        return table;
    }

    /** {@code claim-value = local-user} per line; {@code #} starts a comment line. */
    static Map<String, String> parse(List<String> lines) {
        Map<String, String> table = new HashMap<>();
        int number = 0;
        for (String line : lines) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            int eq = text.indexOf('=');
            String claim = eq < 0 ? "" : text.substring(0, eq).strip();
            String user = eq < 0 ? "" : text.substring(eq + 1).strip();
            if (claim.isEmpty() || user.isEmpty()) {
                throw new IllegalArgumentException("line " + number + ": not 'token-user = local-user'");
            }
            String problem = UserNames.problem(user);
            if (problem != null) {
                throw new IllegalArgumentException("line " + number + ": " + problem);
            }
            if (table.put(claim, user) != null) {
                throw new IllegalArgumentException("line " + number + ": '" + claim + "' is mapped twice");
            }
        }
        return Map.copyOf(table);
    }
}
