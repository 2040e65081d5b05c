package org.mailroom.addresses.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mailroom.addresses.internal.AliasesFileException.Problem;
import org.mailroom.api.auth.UserNames;

/**
 * Reads an aliases file in the subset of Postfix virtual(5) that Mailroom serves: lines of
 * {@code address target[, target...]}, where the address is {@code user@domain} or {@code @domain}
 * (a catch-all) in a local domain, and a target is a user name or an address in a local domain.
 * {@code #} starts a comment line (only there), blank lines are skipped, and a line that starts with
 * whitespace continues the previous one. The file is UTF-8.
 *
 * <p>A target address that is itself an alias (exactly, else with the recipient delimiter
 * stripped) is replaced by that alias's users, up to {@value #MAX_DEPTH} levels deep; any other
 * target address, and an alias naming itself (Postfix's {@code bob@d bob@d, archive}), means the
 * user named by its local part (delimiter stripped), or the postmaster for {@code postmaster}. So the table is complete without the user directory; catch-alls do
 * not apply to targets. Every bad line is reported; a file with one is not used at all.
 */
final class AliasesParser {

    static final int MAX_DEPTH = 10;

    private static final String FOREIGN_TARGET = "target outside the local domains; Mailroom has no outbound relay yet";

    private record Token(String text, int line) {}

    /** Per target, the alias it names or else the user it reaches. */
    private record Target(String alias, String user) {}

    private record Alias(int line, List<Token> targets) {}

    private record Expansion(List<String> users, int depth) {}

    private final Domains domains;
    private final String delimiter;
    private final String postmaster;

    /**
     * @param delimiter recipient delimiter characters, empty for none
     * @param postmaster the user that {@code postmaster} targets reach
     */
    AliasesParser(Domains domains, String delimiter, String postmaster) {
        this.domains = domains;
        this.delimiter = delimiter;
        this.postmaster = postmaster;
    }

    /** @throws java.nio.file.NoSuchFileException if the file does not exist */
    AliasTable parse(Path file) throws IOException, AliasesFileException {
        Map<Integer, String> problems = new TreeMap<>();
        Map<String, Alias> aliases = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new HashMap<>();
        for (List<Token> entry : read(Files.readAllBytes(file), problems)) {
            if (entry.isEmpty()) {
                continue; // its line did not tokenize
            }
            Token address = entry.get(0);
            try {
                String key = key(address.text());
                Integer first = firstLine.putIfAbsent(key, address.line());
                if (first != null) {
                    throw new IllegalArgumentException("duplicate address (first defined on line " + first + ")");
                }
                if (entry.size() == 1) {
                    throw new IllegalArgumentException("no target");
                }
                aliases.put(key, new Alias(address.line(), entry.subList(1, entry.size())));
            } catch (IllegalArgumentException e) {
                problems.putIfAbsent(address.line(), MailAddress.show(address.text()) + ": " + e.getMessage());
            }
        }
        Map<String, List<Target>> targets = new LinkedHashMap<>();
        aliases.forEach((key, alias) -> {
            List<Target> resolved = new ArrayList<>();
            for (Token t : alias.targets()) {
                try {
                    resolved.add(target(t.text(), key, aliases));
                } catch (IllegalArgumentException e) {
                    problems.putIfAbsent(t.line(), MailAddress.show(t.text()) + ": " + e.getMessage());
                }
            }
            targets.put(key, resolved);
        });
        Map<String, List<String>> table = new LinkedHashMap<>();
        Expander expander = new Expander(targets);
        aliases.forEach((key, alias) -> {
            try {
                table.put(key, expander.expand(key, new ArrayList<>()).users());
            } catch (IllegalArgumentException e) {
                problems.putIfAbsent(alias.line(), key + ": " + e.getMessage());
            }
        });
        if (!problems.isEmpty()) {
            List<Problem> list = new ArrayList<>();
            problems.forEach((line, reason) -> list.add(new Problem(line, reason)));
            throw new AliasesFileException(file, list);
        }
        return new AliasTable(table);
    }

    /** The table key of an alias address: {@code local@domain} or {@code @domain}. */
    private String key(String text) {
        if (text.startsWith("@")) {
            return "@" + localDomain(text.substring(1), "address outside the local domains");
        }
        if (text.indexOf('@') < 0) {
            throw new IllegalArgumentException("address must be user@domain or @domain");
        }
        MailAddress a = MailAddress.parse(text);
        return AliasTable.key(a.local(), localDomain(a.domain(), "address outside the local domains"));
    }

    /** A target of the alias {@code self}; naming itself, it means the user of its local part. */
    private Target target(String text, String self, Map<String, Alias> aliases) {
        if (text.indexOf('@') < 0) {
            return new Target(null, user(text));
        }
        if (text.startsWith("@")) {
            throw new IllegalArgumentException("a target cannot be a catch-all");
        }
        MailAddress a = MailAddress.parse(text);
        String domain = localDomain(a.domain(), FOREIGN_TARGET);
        String exact = AliasTable.key(a.local(), domain);
        if (aliases.containsKey(exact) && !exact.equals(self)) {
            return new Target(exact, null);
        }
        String base = delimiter.isEmpty() ? null : MailAddress.base(a.local(), delimiter);
        if (base != null && aliases.containsKey(AliasTable.key(base, domain))) {
            return new Target(AliasTable.key(base, domain), null);
        }
        String local = base == null ? a.local() : base;
        return new Target(null, local.equalsIgnoreCase("postmaster") ? postmaster : user(local));
    }

    private static String user(String name) {
        String problem = UserNames.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("not a user: " + problem);
        }
        return name;
    }

    private String localDomain(String domain, String notLocal) {
        String ascii = Domains.normalize(domain);
        if (!domains.contains(ascii)) {
            throw new IllegalArgumentException(notLocal);
        }
        return ascii;
    }

    /** Expands aliases of aliases once each, finding loops and too deep nesting. */
    private static final class Expander {
        private final Map<String, List<Target>> targets;
        private final Map<String, Expansion> done = new HashMap<>();
        private final Map<String, String> failed = new HashMap<>();

        Expander(Map<String, List<Target>> targets) {
            this.targets = targets;
        }

        Expansion expand(String key, List<String> path) {
            Expansion known = done.get(key);
            if (known != null) {
                return known;
            }
            if (failed.containsKey(key)) {
                throw new IllegalArgumentException(failed.get(key));
            }
            int at = path.indexOf(key);
            if (at >= 0) {
                throw new IllegalArgumentException(
                        "alias loop " + String.join(" -> ", path.subList(at, path.size())) + " -> " + key);
            }
            path.add(key);
            try {
                Set<String> users = new LinkedHashSet<>();
                int depth = 1;
                for (Target t : targets.get(key)) {
                    if (t.alias() == null) {
                        users.add(t.user());
                    } else {
                        Expansion next = expand(t.alias(), path);
                        users.addAll(next.users());
                        depth = Math.max(depth, next.depth() + 1);
                    }
                }
                if (depth > MAX_DEPTH) {
                    throw new IllegalArgumentException("aliases nested deeper than " + MAX_DEPTH + " levels");
                }
                Expansion e = new Expansion(List.copyOf(users), depth);
                done.put(key, e);
                return e;
            } catch (IllegalArgumentException e) {
                failed.put(key, e.getMessage());
                throw e;
            } finally {
                path.remove(path.size() - 1);
            }
        }
    }

    /** The logical lines, each a list of tokens; problems of single lines go into {@code problems}. */
    private static List<List<Token>> read(byte[] bytes, Map<Integer, String> problems) {
        List<List<Token>> entries = new ArrayList<>();
        List<Token> current = null;
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        int number = 0;
        for (int start = 0; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            number++;
            String line;
            try {
                line = utf8.decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
            } catch (CharacterCodingException e) {
                problems.putIfAbsent(number, "not valid UTF-8");
                continue;
            } finally {
                start = end + 1;
            }
            if (number == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            String content = line.strip();
            if (content.isEmpty() || content.startsWith("#")) {
                continue;
            }
            if (isBlank(line.charAt(0))) {
                if (current == null) {
                    problems.putIfAbsent(
                            number, "continuation line (it starts with whitespace) without an address before it");
                    continue;
                }
            } else {
                current = new ArrayList<>();
                entries.add(current);
            }
            try {
                tokenize(line, number, current);
            } catch (IllegalArgumentException e) {
                problems.putIfAbsent(number, e.getMessage());
            }
        }
        return entries;
    }

    /** Splits at whitespace and commas outside double quotes (a backslash escapes inside them). */
    private static void tokenize(String line, int number, List<Token> into) {
        StringBuilder token = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                token.append(c);
                if (c == '\\' && i + 1 < line.length()) {
                    token.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (isBlank(c) || c == ',') {
                if (token.length() > 0) {
                    into.add(new Token(token.toString(), number));
                    token.setLength(0);
                }
            } else if (c == '#' && token.length() == 0) {
                throw new IllegalArgumentException("'#' starts a comment only at the beginning of a line");
            } else {
                token.append(c);
                quoted = c == '"';
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quoted string");
        }
        if (token.length() > 0) {
            into.add(new Token(token.toString(), number));
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B;
    }
}
