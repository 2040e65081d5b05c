package org.mailroom.bench.load;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs Main in-process and keeps its output, for the tests. */
final class Run {
    final int status;
    final String output;
    final String json;

    private Run(int status, String output) {
        this.status = status;
        this.output = output;
        int i = output.lastIndexOf("RESULT {");
        this.json = i < 0 ? "" : output.substring(i + 7).trim();
    }

    static Run withStdin(String stdin, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = Main.run(
                args,
                out,
                new InputStreamReader(
                        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        out.flush();
        return new Run(status, bytes.toString(StandardCharsets.UTF_8));
    }

    static Run main(String... args) {
        return withStdin("\n", args);
    }

    /** A number or literal from the flat RESULT object. */
    String field(String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(\"[^\"]*\"|[^,}]*)")
                .matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + key + " in RESULT: " + json + "\n" + output);
        }
        return m.group(1);
    }

    double number(String key) {
        return Double.parseDouble(field(key));
    }

    @Override
    public String toString() {
        return "status " + status + ":\n" + output;
    }
}
