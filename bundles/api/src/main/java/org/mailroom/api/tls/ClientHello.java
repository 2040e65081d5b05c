package org.mailroom.api.tls;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The parts of a TLS ClientHello that decide whether we can serve the client (RFC 8446 section
 * 4.1.2): code points as unsigned 16-bit ints, in the client's order. The transport reads it
 * before any TLS implementation sees the connection and hands it to each {@link
 * TlsEngineProvider} to choose the engine.
 *
 * @param legacyVersion the legacy_version field, 0x0303 for TLS 1.2 and 1.3 clients
 * @param supportedVersions the supported_versions extension, empty when absent
 * @param cipherSuites the cipher_suites field
 * @param signatureAlgorithms the signature_algorithms extension, empty when absent
 * @param supportedGroups the supported_groups extension, empty when absent
 * @param serverName the server_name extension's host_name, or null when absent
 */
public record ClientHello(
        int legacyVersion,
        List<Integer> supportedVersions,
        List<Integer> cipherSuites,
        List<Integer> signatureAlgorithms,
        List<Integer> supportedGroups,
        String serverName) {

    public ClientHello {
        supportedVersions = List.copyOf(supportedVersions);
        cipherSuites = List.copyOf(cipherSuites);
        signatureAlgorithms = List.copyOf(signatureAlgorithms);
        supportedGroups = List.copyOf(supportedGroups);
    }

    /** Code point of TLS 1.3 in supported_versions. */
    public static final int TLS13 = 0x0304;

    /** Largest ClientHello body read; a real one is a few hundred octets, with PQ key shares a few KiB. */
    public static final int MAX_LENGTH = ClientHelloReader.MAX_CLIENT_HELLO;

    /**
     * Reads the ClientHello from the first TLS records a client sent, at the buffer's position;
     * the buffer's position and limit are left as they were. It may be fragmented over several
     * handshake records.
     *
     * @return the ClientHello, or null if the buffer does not hold all of it yet
     * @throws MalformedClientHelloException if the octets are not TLS handshake records starting
     *     with a well-formed ClientHello, or it is larger than {@link #MAX_LENGTH}
     */
    public static ClientHello parse(ByteBuffer records) throws MalformedClientHelloException {
        return ClientHelloReader.parse(records);
    }

    /** A short description for logs and error messages, code points in hex. */
    public String describe() {
        return "versions " + hex(supportedVersions) + ", suites " + hex(cipherSuites) + ", signature schemes "
                + hex(signatureAlgorithms) + ", groups " + hex(supportedGroups)
                + (serverName == null ? "" : ", SNI " + serverName);
    }

    private static String hex(List<Integer> codes) {
        StringBuilder b = new StringBuilder("[");
        for (int code : codes) {
            if (b.length() > 1) {
                b.append(' ');
            }
            b.append(String.format("%04x", code));
        }
        return b.append(']').toString();
    }
}
