package org.mailroom.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * The byte-verifying load generator: "fill", "pop3", "smtp", "lmtp" (see USAGE.md, printed by
 * --help). Human-readable lines, then one final "RESULT {json}" line; exit status 1 on any
 * verification failure or error, 2 on a usage error.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        int status = run(args, out, new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.flush();
        System.exit(status);
    }

    /** Runs one command; returns the exit status. */
    static int run(String[] args, PrintStream out, InputStreamReader stdin) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        Result r;
        try {
            Opts o = Opts.parse(args, 1);
            if (o.flag("help")) {
                out.print(usage());
                return 0;
            }
            switch (command) {
                case "fill": {
                    Fill f = new Fill(o);
                    o.rejectUnknown();
                    r = f.run(out);
                    break;
                }
                case "pop3": {
                    Pop3Bench b = new Pop3Bench(o, out, stdin);
                    o.rejectUnknown();
                    r = b.run();
                    break;
                }
                case "smtp":
                case "lmtp": {
                    SmtpBench b = new SmtpBench(o, out, command.equals("lmtp"));
                    o.rejectUnknown();
                    r = b.run();
                    break;
                }
                default:
                    throw new IllegalArgumentException(
                            "unknown command '" + command + "' (fill, pop3, smtp, lmtp; --help)");
            }
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.println("RESULT " + errorResult(command, e).json());
            return 2;
        } catch (Exception | OutOfMemoryError e) {
            out.println("error: " + e);
            out.println("RESULT " + errorResult(command, e).json());
            return 1;
        }
        out.println("RESULT " + r.json());
        return Boolean.TRUE.equals(r.get("verified")) ? 0 : 1;
    }

    private static Result errorResult(String command, Throwable e) {
        return new Result()
                .put("command", command)
                .put("verified", false)
                .put("failures", 1)
                .put("error", e.getMessage() == null ? e.toString() : e.getMessage());
    }

    static String usage() {
        try (InputStream in = Main.class.getResourceAsStream("/USAGE.md")) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // fall through
        }
        return "usage: java -jar mailroom-load.jar fill|pop3|smtp|lmtp --help (USAGE.md is missing from the jar)\n";
    }

    /** "soft N, hard M" from /proc/self/limits, for the EMFILE message. */
    static String openFileLimit() {
        try {
            for (String l : Files.readAllLines(Paths.get("/proc/self/limits"))) {
                if (l.startsWith("Max open files")) {
                    String[] f = l.trim().split("\\s+");
                    return "open-file limit: soft " + f[3] + ", hard " + f[4];
                }
            }
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            // fall through
        }
        return "open-file limit unknown";
    }
}
