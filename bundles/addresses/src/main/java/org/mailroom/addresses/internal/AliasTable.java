package org.mailroom.addresses.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One version of the aliases file, expanded: each address to the users it reaches, without
 * duplicates, in the order the file names them. Addresses are keyed by their lower-case local
 * part and the domain's one form ({@link Domains#normalize}); a catch-all by {@code @domain}.
 */
record AliasTable(Map<String, List<String>> aliases) {

    static final AliasTable EMPTY = new AliasTable(Map.of());

    AliasTable {
        aliases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
    }

    static String key(String local, String domain) {
        return local.toLowerCase(Locale.ROOT) + "@" + domain;
    }

    /** @return the users of the alias {@code local@domain}, or null if there is none */
    List<String> get(String local, String domain) {
        return aliases.get(key(local, domain));
    }

    /** @return the users of {@code @domain}, or null if the domain has no catch-all */
    List<String> catchAll(String domain) {
        return aliases.get("@" + domain);
    }
}
