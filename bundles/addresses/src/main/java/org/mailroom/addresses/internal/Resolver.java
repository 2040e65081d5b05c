package org.mailroom.addresses.internal;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.mailroom.api.address.Addresses;
import org.mailroom.api.address.Resolution;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.auth.UserNames;

/**
 * Resolves a recipient in a local domain, in this order: the alias of the full address; {@code
 * postmaster}; the user with that local part (exactly, else in lower case); the same three with
 * the recipient delimiter and what follows stripped; the domain's catch-all. Aliases and postmaster
 * need no user directory; the rest is temporarily unavailable without one.
 */
final class Resolver implements Addresses {

    static final String POSTMASTER = "postmaster";

    private final Domains domains;
    private final String delimiter;
    private final String postmaster;
    private final Supplier<AliasTable> aliases;
    private final Supplier<UserDirectory> directory;

    /**
     * @param aliases the table in force, null while none is loaded
     * @param directory the user directory, looked up per call; null while there is none
     */
    Resolver(
            Domains domains,
            String delimiter,
            String postmaster,
            Supplier<AliasTable> aliases,
            Supplier<UserDirectory> directory) {
        this.domains = domains;
        this.delimiter = delimiter;
        this.postmaster = postmaster;
        this.aliases = aliases;
        this.directory = directory;
    }

    @Override
    public Resolution resolve(String address) {
        return resolve(address, true);
    }

    /** Catch-alls do not count: they would let a user send as anybody. */
    @Override
    public boolean isAddressOf(String user, String address) {
        Resolution r = resolve(address, false);
        return user != null && r.isLocal() && r.users().equals(List.of(user));
    }

    @Override
    public boolean isLocalDomain(String domain) {
        try {
            return domain != null && domains.contains(Domains.normalize(domain.strip()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Resolution resolve(String address, boolean catchAll) {
        String text = address == null ? "" : address.strip();
        String local;
        String domain;
        if (text.equalsIgnoreCase(POSTMASTER)) {
            local = POSTMASTER;
            domain = domains.primary();
        } else {
            try {
                MailAddress a = MailAddress.parse(text);
                if (a.domain().startsWith("[")) {
                    return Resolution.foreign("an address literal is not a local domain");
                }
                local = a.local();
                domain = Domains.normalize(a.domain());
            } catch (IllegalArgumentException e) {
                return Resolution.unknown(text.isEmpty() ? "empty address" : e.getMessage());
            }
            if (!domains.contains(domain)) {
                return Resolution.foreign("not a local domain: " + domain);
            }
        }
        AliasTable table = aliases.get();
        if (table == null) {
            return local.equalsIgnoreCase(POSTMASTER)
                    ? Resolution.local(List.of(postmaster))
                    : Resolution.unavailable("the aliases file has errors and none of its versions is loaded");
        }
        Resolution r = lookup(table, local, domain);
        String base = delimiter.isEmpty() ? null : MailAddress.base(local, delimiter);
        if (r == null && base != null) {
            r = lookup(table, base, domain);
        }
        if (r == null && catchAll) {
            List<String> users = table.catchAll(domain);
            r = users == null ? null : Resolution.local(users);
        }
        return r != null ? r : Resolution.unknown("no such user");
    }

    /** The alias, postmaster or user with this local part; null if none. */
    private Resolution lookup(AliasTable table, String local, String domain) {
        List<String> alias = table.get(local, domain);
        if (alias != null) {
            return Resolution.local(alias);
        }
        if (local.equalsIgnoreCase(POSTMASTER)) {
            return Resolution.local(List.of(postmaster));
        }
        UserDirectory users = directory.get();
        if (users == null) {
            return Resolution.unavailable("no user directory");
        }
        try {
            String lower = local.toLowerCase(Locale.ROOT);
            for (String name : lower.equals(local) ? List.of(local) : List.of(local, lower)) {
                if (UserNames.problem(name) == null && users.exists(name)) {
                    return Resolution.local(List.of(name));
                }
            }
        } catch (RuntimeException e) {
            return Resolution.unavailable(
                    "user directory failed: " + e.getClass().getSimpleName());
        }
        return null;
    }
}
