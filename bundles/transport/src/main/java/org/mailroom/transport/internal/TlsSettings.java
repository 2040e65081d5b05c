package org.mailroom.transport.internal;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Where the server's certificate comes from, and which TLS versions are allowed. */
record TlsSettings(Path certificate, Path privateKey, Path keystore, char[] keystorePassword, boolean selfSigned,
        List<String> protocols) {

    private static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    static TlsSettings from(ListenerConfig c) {
        List<String> protocols = Arrays.stream(c.tls_protocols()).flatMap(p -> Arrays.stream(p.split(","))).map(String::trim).filter(p -> !p.isEmpty()).toList();
        if (protocols.isEmpty()) {
            throw new ConfigException("tls.protocols", "must name at least one of " + ALLOWED_PROTOCOLS);
        }
        for (String p : protocols) {
            if (!ALLOWED_PROTOCOLS.contains(p)) {
                throw new ConfigException("tls.protocols", "may only contain TLSv1.2 and TLSv1.3, not " + p);
            }
        }
        return new TlsSettings(path(c.tls_certificate()), path(c.tls_privateKey()), path(c.tls_keystore()),
                c.tls_keystorePassword().toCharArray(), c.tls_selfSigned(), protocols);
    }

    private static Path path(String value) {
        return value == null || value.isBlank() ? null : Path.of(value.trim());
    }

    boolean configured() {
        return keystore != null || (certificate != null && privateKey != null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsSettings t && java.util.Objects.equals(certificate, t.certificate)
                && java.util.Objects.equals(privateKey, t.privateKey) && java.util.Objects.equals(keystore, t.keystore)
                && Arrays.equals(keystorePassword, t.keystorePassword) && selfSigned == t.selfSigned
                && protocols.equals(t.protocols);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(certificate, privateKey, keystore, selfSigned, protocols);
    }

    @Override
    public String toString() {
        return "TlsSettings[certificate=" + certificate + ", privateKey=" + privateKey + ", keystore=" + keystore
                + ", selfSigned=" + selfSigned + ", protocols=" + protocols + "]";
    }
}
