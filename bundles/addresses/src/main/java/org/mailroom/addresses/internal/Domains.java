package org.mailroom.addresses.internal;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local domains, each in one form: lower-case ASCII with A-labels ({@link IDN#toASCII}), so
 * that {@code Bücher.example} and {@code xn--bcher-kva.example} are the same domain.
 *
 * @param names in the order configured; the first is the domain of a bare {@code postmaster}
 */
record Domains(List<String> names) {

    private static final Logger LOG = LoggerFactory.getLogger(Domains.class);

    Domains {
        names = List.copyOf(new LinkedHashSet<>(names));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no local domain");
        }
    }

    /**
     * @param list comma-separated domains; empty: {@code localhost} and the machine's names
     * @throws IllegalArgumentException naming the bad domain
     */
    static Domains parse(String list) {
        List<String> names = new ArrayList<>();
        for (String d : list == null ? new String[0] : list.split(",")) {
            if (!d.isBlank()) {
                try {
                    names.add(normalize(d.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(MailAddress.show(d.strip()) + ": " + e.getMessage());
                }
            }
        }
        return names.isEmpty() ? machine() : new Domains(names);
    }

    /** {@code localhost} and the names of this machine that resolve; never fails. */
    static Domains machine() {
        Set<String> names = new LinkedHashSet<>(List.of("localhost"));
        try {
            InetAddress host = InetAddress.getLocalHost();
            for (String name : List.of(host.getCanonicalHostName(), host.getHostName())) {
                try {
                    names.add(normalize(name));
                } catch (IllegalArgumentException e) {
                    LOG.info(
                            "Machine name {} is not taken as a local domain: {}",
                            MailAddress.show(name),
                            e.getMessage());
                }
            }
        } catch (UnknownHostException | SecurityException e) {
            LOG.info("The machine's name cannot be found ({}); it is not taken as a local domain", e.getMessage());
        }
        LOG.info("Local domains (domains is empty: localhost and the machine's names): {}", names);
        return new Domains(List.copyOf(names));
    }

    /**
     * A domain in its one form.
     *
     * @throws IllegalArgumentException saying why it is not a domain name
     */
    static String normalize(String domain) {
        if (domain.isEmpty()) {
            throw new IllegalArgumentException("empty domain");
        }
        if (domain.startsWith("[")) {
            throw new IllegalArgumentException("an address literal is not a local domain");
        }
        if (domain.endsWith(".")) {
            throw new IllegalArgumentException("domain ends with '.'");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad domain: " + e.getMessage());
        }
        if (ascii.length() > 253) {
            throw new IllegalArgumentException("domain longer than 253 characters");
        }
        if (ascii.substring(ascii.lastIndexOf('.') + 1).chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("an IP address is not a domain name");
        }
        return ascii;
    }

    /** @param ascii a domain in the form {@link #normalize} gives */
    boolean contains(String ascii) {
        return names.contains(ascii);
    }

    String primary() {
        return names.get(0);
    }
}
