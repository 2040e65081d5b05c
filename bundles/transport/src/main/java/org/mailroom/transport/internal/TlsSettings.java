package org.mailroom.transport.internal;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Where the server's certificate comes from, and which TLS versions and cipher suites are allowed. */
record TlsSettings(
        Path certificate,
        Path privateKey,
        Path keystore,
        char[] keystorePassword,
        boolean selfSigned,
        List<String> protocols,
        List<String> cipherSuites) {

    private static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    /**
     * The default of {@code tls.cipherSuites} (the same list as {@link ListenerConfig#tls_cipherSuites()}):
     * TLS 1.3's suites, then TLS 1.2 with ECDHE key exchange and AEAD encryption only.
     */
    static final List<String> DEFAULT_CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** TLS 1.3 suites: always forward secret and AEAD; their names carry no key exchange. */
    private static final Set<String> TLS13_SUITES = Set.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_CCM_SHA256",
            "TLS_AES_128_CCM_8_SHA256");

    /** Key exchanges with an ephemeral key per connection (forward secrecy). */
    private static final Set<String> FORWARD_SECRET_KEY_EXCHANGES =
            Set.of("ECDHE_ECDSA", "ECDHE_RSA", "DHE_RSA", "DHE_DSS");

    static TlsSettings from(ListenerConfig c) {
        List<String> protocols = list(c.tls_protocols());
        if (protocols.isEmpty()) {
            throw new ConfigException("tls.protocols", "must name at least one of " + ALLOWED_PROTOCOLS);
        }
        for (String p : protocols) {
            if (!ALLOWED_PROTOCOLS.contains(p)) {
                throw new ConfigException("tls.protocols", "may only contain TLSv1.2 and TLSv1.3, not " + p);
            }
        }
        List<String> suites = cipherSuites(c.tls_cipherSuites(), protocols, TlsContextSource.jdkCipherSuites());
        return new TlsSettings(
                path(c.tls_certificate()),
                path(c.tls_privateKey()),
                path(c.tls_keystore()),
                c.tls_keystorePassword().toCharArray(),
                c.tls_selfSigned(),
                protocols,
                suites);
    }

    /**
     * Validates {@code tls.cipherSuites}: every suite must be one the JDK knows and forward secret
     * with AEAD encryption, and each enabled protocol needs at least one suite.
     */
    static List<String> cipherSuites(String[] configured, List<String> protocols, Set<String> supported) {
        List<String> suites = list(configured).stream().distinct().toList();
        if (suites.isEmpty()) {
            throw new ConfigException("tls.cipherSuites", "must name at least one cipher suite");
        }
        for (String suite : suites) {
            String refusal = refusal(suite);
            if (refusal != null) {
                throw new ConfigException("tls.cipherSuites", "may not contain " + suite + ": " + refusal);
            }
            if (!supported.contains(suite)) {
                throw new ConfigException(
                        "tls.cipherSuites", "contains " + suite + ", which this Java runtime does not support");
            }
        }
        if (protocols.contains("TLSv1.3") && suites.stream().noneMatch(TLS13_SUITES::contains)) {
            throw new ConfigException(
                    "tls.cipherSuites",
                    "names no TLS 1.3 suite (TLS_AES_... or TLS_CHACHA20_...), but tls.protocols enables TLSv1.3");
        }
        if (protocols.contains("TLSv1.2") && suites.stream().allMatch(TLS13_SUITES::contains)) {
            throw new ConfigException(
                    "tls.cipherSuites", "names no TLS 1.2 suite (TLS_ECDHE_...), but tls.protocols enables TLSv1.2");
        }
        return suites;
    }

    /** Why a suite is not allowed, or null when it is forward secret and AEAD. */
    static String refusal(String suite) {
        if (TLS13_SUITES.contains(suite)) {
            return null;
        }
        if (suite.endsWith("_SCSV")) {
            return "a signalling value, not a cipher suite";
        }
        if (suite.contains("_anon_")) {
            return "anonymous, the server is not authenticated";
        }
        if (suite.contains("NULL")) {
            return "no encryption";
        }
        if (suite.contains("EXPORT")) {
            return "export-grade";
        }
        if (suite.contains("RC4")) {
            return "RC4 is broken";
        }
        if (suite.contains("DES")) {
            return "DES/3DES has a 64-bit block (SWEET32)";
        }
        int with = suite.indexOf("_WITH_");
        if (!suite.startsWith("TLS_") || with < 0) {
            return "not a TLS 1.2 or TLS 1.3 cipher suite name";
        }
        String keyExchange = suite.substring(4, with);
        if (!FORWARD_SECRET_KEY_EXCHANGES.contains(keyExchange)) {
            return "the " + keyExchange + " key exchange is not forward secret (only ECDHE and DHE are)";
        }
        String cipher = suite.substring(with + 6);
        if (cipher.contains("_CBC_")
                || !(cipher.contains("_GCM") || cipher.contains("_CCM") || cipher.startsWith("CHACHA20_POLY1305"))) {
            return "not an AEAD cipher (CBC invites padding oracles such as LUCKY13)";
        }
        return null;
    }

    private static List<String> list(String[] values) {
        return Arrays.stream(values)
                .flatMap(p -> Arrays.stream(p.split(",")))
                .map(String::trim)
                .filter(p -> !p.isEmpty())
                .toList();
    }

    private static Path path(String value) {
        return value == null || value.isBlank() ? null : Path.of(value.trim());
    }

    boolean configured() {
        return keystore != null || (certificate != null && privateKey != null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsSettings t
                && java.util.Objects.equals(certificate, t.certificate)
                && java.util.Objects.equals(privateKey, t.privateKey)
                && java.util.Objects.equals(keystore, t.keystore)
                && Arrays.equals(keystorePassword, t.keystorePassword)
                && selfSigned == t.selfSigned
                && protocols.equals(t.protocols)
                && cipherSuites.equals(t.cipherSuites);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(certificate, privateKey, keystore, selfSigned, protocols, cipherSuites);
    }

    @Override
    public String toString() {
        return "TlsSettings[certificate=" + certificate + ", privateKey=" + privateKey + ", keystore=" + keystore
                + ", selfSigned=" + selfSigned + ", protocols=" + protocols + ", cipherSuites=" + cipherSuites + "]";
    }
}
