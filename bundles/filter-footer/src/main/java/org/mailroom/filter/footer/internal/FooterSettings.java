package org.mailroom.filter.footer.internal;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The footer filter's settings, checked.
 *
 * @param footerFile the plain-text footer (UTF-8)
 * @param htmlFile the HTML footer (UTF-8), or null to make it from the text
 * @param logoFile a PNG, JPEG or GIF shown in the HTML footer, or null
 * @param tagSigned true: a signed message gets a header saying why it has no footer; false: skipped
 * @param traceMark whether each copy gets a trace code
 * @param traceHeader the header field that carries the code
 * @param traceKeyFile the key of the trace codes
 * @param traceDirectory the folder of the ledger
 */
record FooterSettings(
        Path footerFile,
        Path htmlFile,
        Path logoFile,
        boolean tagSigned,
        boolean traceMark,
        String traceHeader,
        Path traceKeyFile,
        Path traceDirectory) {

    /** @throws IllegalArgumentException naming the key of a bad value */
    static FooterSettings of(FooterFilter.Config c, Map<String, Object> properties) {
        Path etc = Path.of(properties
                .getOrDefault("karaf.etc", System.getProperty("karaf.etc", "etc"))
                .toString());
        String signed = c.signedMessages().strip().toLowerCase(Locale.ROOT);
        if (!signed.equals("skip") && !signed.equals("tag")) {
            throw new IllegalArgumentException("key signedMessages: \"" + c.signedMessages() + "\" is not skip or tag");
        }
        String header = c.traceHeader().strip();
        if (header.isEmpty() || !header.chars().allMatch(ch -> ch > ' ' && ch < 127 && ch != ':')) {
            throw new IllegalArgumentException("key traceHeader: \"" + header + "\" is not a header field name");
        }
        String logo = c.logoFile().strip();
        if (!logo.isEmpty() && logoType(Path.of(logo)) == null) {
            throw new IllegalArgumentException(
                    "key logoFile: \"" + logo + "\" is not a .png, .jpg, .jpeg or .gif file");
        }
        String html = c.footerHtmlFile().strip();
        String directory = c.traceDirectory().strip();
        return new FooterSettings(
                path(etc, required("footerFile", c.footerFile())),
                html.isEmpty() ? null : path(etc, html),
                logo.isEmpty() ? null : path(etc, logo),
                signed.equals("tag"),
                c.traceMark(),
                header,
                path(etc, required("traceKeyFile", c.traceKeyFile())),
                directory.isEmpty()
                        ? Path.of(System.getProperty("karaf.data", "data"), "mailroom", "trace")
                        : Path.of(directory));
    }

    static String logoType(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            return "image/png";
        }
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        return name.endsWith(".gif") ? "image/gif" : null;
    }

    private static String required(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("key " + key + ": empty");
        }
        return value.strip();
    }

    private static Path path(Path etc, String file) {
        Path p = Path.of(file);
        return (p.isAbsolute() ? p : etc.resolve(p)).toAbsolutePath().normalize();
    }
}
