package org.mailroom.bench.load;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** "--name value" options and "--flag" switches; an option nobody asked for is an error. */
final class Opts {
    private static final Set<String> FLAGS = Set.of("tls", "stls", "help", "no-clean");

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> used = new HashSet<>();

    static Opts parse(String[] args, int from) {
        Opts o = new Opts();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() < 3) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (options are --name value)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (FLAGS.contains(name)) {
                value = "true";
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            o.values.put(name, value);
        }
        return o;
    }

    boolean has(String name) {
        used.add(name);
        return values.containsKey(name);
    }

    boolean flag(String name) {
        used.add(name);
        String v = values.get(name);
        return v != null && !v.equals("false") && !v.equals("no");
    }

    String str(String name, String def) {
        used.add(name);
        return values.getOrDefault(name, def);
    }

    String required(String name) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("option --" + name + " is required");
        }
        return v;
    }

    int integer(String name, int def) {
        String v = str(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " wants an integer, not '" + v + "'");
        }
    }

    long longValue(String name, long def) {
        String v = str(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " wants an integer, not '" + v + "'");
        }
    }

    double dbl(String name, double def) {
        String v = str(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " wants a number, not '" + v + "'");
        }
    }

    /** Fails on any option that the command did not read (a typo would otherwise be ignored). */
    void rejectUnknown() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) for this command: --" + String.join(", --", unknown));
        }
    }
}
