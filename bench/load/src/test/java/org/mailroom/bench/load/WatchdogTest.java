package org.mailroom.bench.load;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** A read that waits too long on a socket without SO_TIMEOUT fails as a timeout. */
public class WatchdogTest {
    @Test
    public void silentServerTimesOut() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Net net = new Net("127.0.0.1", server.getLocalPort(), Net.Tls.NONE);
            Socket s = net.connect();
            try (Socket silent = server.accept()) {
                assertEquals(0, s.getSoTimeout());
                LineIn in = Net.reader(s, 1024);
                CompletableFuture<Throwable> read = CompletableFuture.supplyAsync(() -> {
                    try {
                        in.readLine();
                        return null;
                    } catch (Exception e) {
                        return e;
                    }
                });
                Thread.sleep(300);
                in.abortIfWaitingLongerThan(System.nanoTime(), 10_000_000_000L); // 10 s: not yet
                assertTrue(!read.isDone());
                in.abortIfWaitingLongerThan(System.nanoTime(), 100_000_000L); // 0.1 s: too long
                Throwable t = read.get(5, TimeUnit.SECONDS);
                assertTrue(String.valueOf(t), t instanceof SocketTimeoutException);
                assertTrue(Watchdog.running());
            } finally {
                s.close();
            }
        }
    }
}
