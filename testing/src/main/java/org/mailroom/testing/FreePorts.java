package org.mailroom.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on loopback, for servers a test starts with a configured (not ephemeral) port. */
public final class FreePorts {

    private FreePorts() {}

    /** {@code count} distinct ports, found by binding port 0 with all held open together, then closed. */
    public static int[] of(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // the port is free either way
                    }
                }
            }
        }
    }

    public static int one() {
        return of(1)[0];
    }
}
