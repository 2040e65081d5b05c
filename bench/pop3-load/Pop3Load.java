import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POP3 load generator for whole-server runs (see run.sh). Phases:
 * <ol>
 *   <li>login latency with the server otherwise idle (the baseline);</li>
 *   <li>login latency while N clients download a large message in a loop;</li>
 *   <li>K logged-in idle sessions held open, for the memory figure: run.sh reads the server's heap
 *       when told BASELINE_READY and IDLE_SESSIONS_READY, answering each with a line on stdin.</li>
 * </ol>
 * Usage: java Pop3Load.java HOST PORT PROBE_USER PROBE_PASSWORD LOAD_USER_PREFIX LOAD_PASSWORD
 *        DOWNLOADERS IDLE_SESSIONS SECONDS
 */
public class Pop3Load {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String probeUser = args[2];
        String probePassword = args[3];
        String loadPrefix = args[4];
        String loadPassword = args[5];
        int downloaders = Integer.parseInt(args[6]);
        int idleSessions = Integer.parseInt(args[7]);
        int seconds = Integer.parseInt(args[8]);

        for (int i = 0; i < 5; i++) {
            login(host, port, probeUser, probePassword);
        }
        List<Long> idle = probe(host, port, probeUser, probePassword, seconds);
        report("login, idle server", idle);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong bytes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < downloaders; i++) {
            String user = loadPrefix + i;
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        bytes.addAndGet(download(host, port, user, loadPassword, running));
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long started = System.nanoTime();
        List<Long> loaded = probe(host, port, probeUser, probePassword, seconds);
        double elapsed = (System.nanoTime() - started) / 1e9;
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        report("login, " + downloaders + " clients downloading", loaded);
        System.out.printf("download throughput: %.1f MB/s, failed downloads: %d%n", bytes.get() / elapsed / 1e6,
                failures.get());
        System.out.printf("p99 ratio loaded/idle: %.2f%n", (double) percentile(loaded, 99) / percentile(idle, 99));

        BufferedReader control = new BufferedReader(new InputStreamReader(System.in));
        System.out.println("BASELINE_READY");
        System.out.flush();
        control.readLine();
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < idleSessions; i++) {
            Socket s = new Socket(host, port);
            Session session = new Session(s);
            session.expect("+OK");
            session.command("USER " + loadPrefix + (downloaders + i), "+OK");
            session.command("PASS " + loadPassword, "+OK");
            held.add(s);
        }
        System.out.println("IDLE_SESSIONS_READY " + held.size());
        System.out.flush();
        control.readLine();
        for (Socket s : held) {
            s.close();
        }
    }

    private static List<Long> probe(String host, int port, String user, String password, int seconds)
            throws IOException {
        List<Long> micros = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            login(host, port, user, password);
            micros.add((System.nanoTime() - t0) / 1000);
        }
        return micros;
    }

    private static void login(String host, int port, String user, String password) throws IOException {
        try (Socket s = new Socket(host, port)) {
            Session session = new Session(s);
            session.expect("+OK");
            session.command("USER " + user, "+OK");
            session.command("PASS " + password, "+OK");
            session.command("QUIT", "+OK");
        }
    }

    private static long download(String host, int port, String user, String password, AtomicBoolean running)
            throws IOException {
        long total = 0;
        try (Socket s = new Socket(host, port)) {
            Session session = new Session(s);
            session.expect("+OK");
            session.command("USER " + user, "+OK");
            session.command("PASS " + password, "+OK");
            while (running.get()) {
                session.command("RETR 1", "+OK");
                total += session.skipMultiLine();
            }
            session.command("QUIT", "+OK");
        }
        return total;
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void report(String what, List<Long> micros) {
        System.out.printf("%s: n=%d p50=%.1f ms p95=%.1f ms p99=%.1f ms%n", what, micros.size(),
                percentile(micros, 50) / 1000.0, percentile(micros, 95) / 1000.0, percentile(micros, 99) / 1000.0);
    }

    private static final class Session {
        private final InputStream in;
        private final OutputStream out;
        private final byte[] buffer = new byte[65536];
        private int pos;
        private int len;

        Session(Socket socket) throws IOException {
            socket.setSoTimeout(60_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void command(String line, String expected) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            expect(expected);
        }

        void expect(String prefix) throws IOException {
            String reply = line();
            if (!reply.startsWith(prefix)) {
                throw new IOException("expected " + prefix + ", got " + reply);
            }
        }

        long skipMultiLine() throws IOException {
            long n = 0;
            while (true) {
                String l = line();
                if (l.equals(".")) {
                    return n;
                }
                n += l.length() + 2;
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos == len) {
                    len = in.read(buffer);
                    pos = 0;
                    if (len < 0) {
                        throw new IOException("connection closed");
                    }
                }
                byte c = buffer[pos++];
                if (c == '\n') {
                    int end = sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r' ? sb.length() - 1 : sb.length();
                    return sb.substring(0, end);
                }
                sb.append((char) (c & 0xff));
            }
        }
    }
}
