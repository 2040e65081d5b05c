package org.mailroom.filter.daemon;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where the daemon listens: {@code tcp:HOST:PORT} (an IPv6 host in brackets) or
 * {@code unix:/PATH} (a UNIX domain socket). A host name is resolved for every connection.
 *
 * @param host the TCP host, null for a UNIX socket
 * @param port the TCP port
 * @param path the UNIX socket, null for TCP
 */
public record DaemonAddress(String host, int port, Path path) {

    /** @throws IllegalArgumentException saying what is wrong with the text */
    public static DaemonAddress parse(String text) {
        String address = text == null ? "" : text.strip();
        if (address.startsWith("unix:")) {
            Path path = Path.of(address.substring("unix:".length()));
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("'" + address + "' is not unix:/absolute/path");
            }
            return new DaemonAddress(null, 0, path.normalize());
        }
        if (address.startsWith("tcp:")) {
            String hostPort = address.substring("tcp:".length());
            int colon = hostPort.lastIndexOf(':');
            if (colon > 0) {
                String host = hostPort.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                String digits = hostPort.substring(colon + 1);
                if (!host.isEmpty() && digits.matches("[0-9]{1,5}") && Integer.parseInt(digits) >= 1) {
                    int port = Integer.parseInt(digits);
                    if (port <= 65535) {
                        return new DaemonAddress(host, port, null);
                    }
                }
            }
            throw new IllegalArgumentException("'" + address + "' is not tcp:HOST:PORT");
        }
        throw new IllegalArgumentException("'" + address + "' is neither tcp:HOST:PORT nor unix:/PATH");
    }

    public StandardProtocolFamily family() {
        if (path != null) {
            return StandardProtocolFamily.UNIX;
        }
        return host.contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** The socket address to connect to (a TCP host resolved now). */
    public SocketAddress socketAddress() {
        return path != null ? UnixDomainSocketAddress.of(path) : new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return path != null ? "unix:" + path : "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
