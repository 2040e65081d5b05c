package org.mailroom.api.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the ClientHello out of the first TLS records a client sends, without consuming them: the
 * bytes stay in the buffer for the TLS implementation proper. The ClientHello may be fragmented
 * over several handshake records, and those over several reads; until all of it is there, {@link
 * ClientHello#parse} answers null.
 */
final class ClientHelloReader {

    /** Largest ClientHello body accepted; a real one is a few hundred bytes, with PQ key shares a few KiB. */
    static final int MAX_CLIENT_HELLO = 64 * 1024;

    private static final int RECORD_HEADER = 5;
    private static final int MAX_PLAINTEXT_RECORD = 16384;
    private static final int CONTENT_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_SUPPORTED_GROUPS = 10;
    private static final int EXT_SIGNATURE_ALGORITHMS = 13;
    private static final int EXT_SUPPORTED_VERSIONS = 43;

    private ClientHelloReader() {}

    /**
     * Parses the ClientHello at the buffer's position; the buffer's position and limit are left as
     * they were.
     *
     * @return the ClientHello, or null if the buffer does not hold all of it yet
     * @throws MalformedClientHelloException if the bytes are not TLS handshake records starting with a
     *     well-formed ClientHello, or it is larger than {@link #MAX_CLIENT_HELLO}
     */
    static ClientHello parse(ByteBuffer buffer) throws MalformedClientHelloException {
        ByteBuffer in = buffer.duplicate();
        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        int needed = -1; // handshake bytes of header + body, once the header is known
        int offset = 0;
        while (needed < 0 || handshake.size() < needed) {
            if (in.remaining() - offset < RECORD_HEADER) {
                return null;
            }
            int p = in.position() + offset;
            int type = in.get(p) & 0xFF;
            int major = in.get(p + 1) & 0xFF;
            int length = ((in.get(p + 3) & 0xFF) << 8) | (in.get(p + 4) & 0xFF);
            if (type != CONTENT_HANDSHAKE) {
                throw new MalformedClientHelloException(
                        "not a TLS handshake record (content type " + type + " at offset " + offset + ")");
            }
            if (major != 3) {
                throw new MalformedClientHelloException("not a TLS record (version byte " + major + ")");
            }
            if (length == 0 || length > MAX_PLAINTEXT_RECORD) {
                throw new MalformedClientHelloException("handshake record length " + length + " out of range");
            }
            if (in.remaining() - offset < RECORD_HEADER + length) {
                return null;
            }
            byte[] fragment = new byte[length];
            in.get(p + RECORD_HEADER, fragment);
            handshake.write(fragment, 0, length);
            offset += RECORD_HEADER + length;
            if (needed < 0 && handshake.size() >= 4) {
                byte[] head = handshake.toByteArray();
                if ((head[0] & 0xFF) != HANDSHAKE_CLIENT_HELLO) {
                    throw new MalformedClientHelloException(
                            "first handshake message is type " + (head[0] & 0xFF) + ", not a ClientHello (1)");
                }
                int bodyLength = ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
                if (bodyLength > MAX_CLIENT_HELLO) {
                    throw new MalformedClientHelloException(
                            "ClientHello of " + bodyLength + " bytes exceeds " + MAX_CLIENT_HELLO);
                }
                needed = 4 + bodyLength;
            }
            if (handshake.size() > 4 + MAX_CLIENT_HELLO + MAX_PLAINTEXT_RECORD) {
                throw new MalformedClientHelloException("handshake data exceeds " + MAX_CLIENT_HELLO + " bytes");
            }
        }
        byte[] all = handshake.toByteArray();
        return body(ByteBuffer.wrap(all, 4, needed - 4).slice());
    }

    private static ClientHello body(ByteBuffer b) throws MalformedClientHelloException {
        int legacyVersion = u16(b, "legacy_version");
        skip(b, 32, "random");
        skip(b, u8(b, "session_id length"), "session_id");
        int suitesLength = u16(b, "cipher_suites length");
        if (suitesLength < 2 || suitesLength % 2 != 0) {
            throw new MalformedClientHelloException("cipher_suites length " + suitesLength + " is invalid");
        }
        List<Integer> suites = u16List(slice(b, suitesLength, "cipher_suites"), "cipher_suites");
        int compressions = u8(b, "compression_methods length");
        if (compressions < 1) {
            throw new MalformedClientHelloException("no compression_methods");
        }
        skip(b, compressions, "compression_methods");
        List<Integer> versions = List.of();
        List<Integer> sigAlgs = List.of();
        List<Integer> groups = List.of();
        String serverName = null;
        if (b.hasRemaining()) {
            ByteBuffer extensions = slice(b, u16(b, "extensions length"), "extensions");
            if (b.hasRemaining()) {
                throw new MalformedClientHelloException(b.remaining() + " bytes after the extensions");
            }
            List<Integer> seen = new ArrayList<>();
            while (extensions.hasRemaining()) {
                int type = u16(extensions, "extension type");
                ByteBuffer data = slice(extensions, u16(extensions, "extension length"), "extension " + type);
                if (seen.contains(type)) {
                    throw new MalformedClientHelloException("extension " + type + " appears twice");
                }
                seen.add(type);
                switch (type) {
                    case EXT_SUPPORTED_VERSIONS ->
                        versions = u16List(
                                slice(data, u8(data, "supported_versions length"), "supported_versions"),
                                "supported_versions");
                    case EXT_SIGNATURE_ALGORITHMS ->
                        sigAlgs = u16List(
                                slice(data, u16(data, "signature_algorithms length"), "signature_algorithms"),
                                "signature_algorithms");
                    case EXT_SUPPORTED_GROUPS ->
                        groups = u16List(
                                slice(data, u16(data, "supported_groups length"), "supported_groups"),
                                "supported_groups");
                    case EXT_SERVER_NAME -> serverName = hostName(data);
                    default -> data.position(data.limit());
                }
                if (data.hasRemaining()) {
                    throw new MalformedClientHelloException(
                            "extension " + type + " has " + data.remaining() + " trailing bytes");
                }
            }
        }
        return new ClientHello(legacyVersion, versions, suites, sigAlgs, groups, serverName);
    }

    private static String hostName(ByteBuffer data) throws MalformedClientHelloException {
        if (!data.hasRemaining()) {
            return null; // a server's empty acknowledgement; not expected from a client, but harmless
        }
        ByteBuffer list = slice(data, u16(data, "server_name_list length"), "server_name_list");
        String host = null;
        while (list.hasRemaining()) {
            int nameType = u8(list, "name_type");
            ByteBuffer name = slice(list, u16(list, "server name length"), "server name");
            if (nameType == 0 && host == null) {
                byte[] bytes = new byte[name.remaining()];
                name.get(bytes);
                host = new String(bytes, StandardCharsets.US_ASCII);
            }
        }
        return host;
    }

    private static List<Integer> u16List(ByteBuffer b, String what) throws MalformedClientHelloException {
        if (b.remaining() % 2 != 0) {
            throw new MalformedClientHelloException(what + " has an odd length");
        }
        List<Integer> list = new ArrayList<>(b.remaining() / 2);
        while (b.hasRemaining()) {
            list.add(b.getShort() & 0xFFFF);
        }
        return list;
    }

    private static ByteBuffer slice(ByteBuffer b, int length, String what) throws MalformedClientHelloException {
        if (b.remaining() < length) {
            throw new MalformedClientHelloException(what + " (" + length + " bytes) overruns the ClientHello");
        }
        ByteBuffer slice = b.slice(b.position(), length);
        b.position(b.position() + length);
        return slice;
    }

    private static void skip(ByteBuffer b, int length, String what) throws MalformedClientHelloException {
        slice(b, length, what);
    }

    private static int u8(ByteBuffer b, String what) throws MalformedClientHelloException {
        if (!b.hasRemaining()) {
            throw new MalformedClientHelloException("ClientHello ends before " + what);
        }
        return b.get() & 0xFF;
    }

    private static int u16(ByteBuffer b, String what) throws MalformedClientHelloException {
        if (b.remaining() < 2) {
            throw new MalformedClientHelloException("ClientHello ends before " + what);
        }
        return b.getShort() & 0xFFFF;
    }
}
