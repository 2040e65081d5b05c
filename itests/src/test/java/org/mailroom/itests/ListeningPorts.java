package org.mailroom.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The TCP ports this JVM listens on, read from Linux's /proc. */
public final class ListeningPorts {

    private static final String LISTEN = "0A";

    private ListeningPorts() {}

    public static boolean supported() {
        return Files.isReadable(Paths.get("/proc/net/tcp")) && Files.isDirectory(Paths.get("/proc/self/fd"));
    }

    /** Ports of the listening TCP sockets (IPv4 and IPv6) whose descriptors this process holds. */
    public static Set<Integer> ofThisProcess() throws IOException {
        Map<String, Integer> listeningByInode = new HashMap<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path path = Paths.get(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && LISTEN.equals(f[3])) {
                    String local = f[1];
                    int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
                    listeningByInode.put(f[9], port);
                }
            }
        }
        Set<Integer> ports = new TreeSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[")) {
                    Integer port = listeningByInode.get(target.substring(8, target.length() - 1));
                    if (port != null) {
                        ports.add(port);
                    }
                }
            }
        }
        return ports;
    }

    /**
     * True when the port speaks Java RMI (JRMP): it answers the stream-protocol header
     * "JRMI", version 2, with a ProtocolAck byte.
     */
    public static boolean speaksRmi(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {'J', 'R', 'M', 'I', 0x00, 0x02, 0x4B});
            out.flush();
            InputStream in = s.getInputStream();
            return in.read() == 0x4E;
        } catch (IOException e) {
            return false;
        }
    }
}
