package org.mailroom.auth.password.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.convert.ListDelimiterHandler;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.mailroom.api.auth.UserNames;

/**
 * Reads a Dovecot passwd-file ({@code user:{SCHEME}hash[:uid:gid:gecos:home:shell:extra]},
 * {@code #} comments) through Commons Configuration's {@link PropertiesConfiguration} and
 * {@link FileHandler}.
 *
 * <p>The stock properties reader would unescape backslashes, join lines ending in a backslash,
 * split at '=' and whitespace as well as ':', treat '!' as a comment and swallow keys named
 * {@code include}; a passwd-file means none of that. So the configuration is given a reader that
 * splits each physical line at its first ':' and hands the text over verbatim, and that records
 * every line with its number. Values are taken from that record, never through the
 * configuration's getters, so {@code ${...}} interpolation never applies.
 */
public final class PasswdFileParser {

    private final Predicate<String> knownScheme;
    private final String noPrefixScheme;

    /**
     * @param knownScheme whether an upper-case scheme name is acceptable
     * @param noPrefixScheme the scheme for hashes without a {@code {SCHEME}} prefix
     */
    public PasswdFileParser(Predicate<String> knownScheme, String noPrefixScheme) {
        this.knownScheme = knownScheme;
        this.noPrefixScheme = noPrefixScheme;
    }

    /** @throws NoSuchFileException if the file does not exist */
    public PasswdFile parse(Path file) throws IOException, PasswdFileException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        RecordingReader.Recording recording = new RecordingReader.Recording();
        PropertiesConfiguration config = new PropertiesConfiguration();
        config.setIncludesAllowed(false);
        config.setIOFactory(new PropertiesConfiguration.IOFactory() {
            @Override
            public PropertiesConfiguration.PropertiesReader createPropertiesReader(Reader in) {
                return new RecordingReader(in, recording);
            }

            @Override
            public PropertiesConfiguration.PropertiesWriter createPropertiesWriter(
                    Writer out, ListDelimiterHandler handler) {
                return new PropertiesConfiguration.DefaultIOFactory().createPropertiesWriter(out, handler);
            }
        });
        FileHandler handler = new FileHandler(config);
        handler.setEncoding(StandardCharsets.UTF_8.name());
        try {
            handler.load(file.toFile());
        } catch (ConfigurationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return build(file, recording);
    }

    private PasswdFile build(Path file, RecordingReader.Recording recording) throws PasswdFileException {
        Map<String, PasswdEntry> users = new LinkedHashMap<>();
        for (RecordingReader.Entry e : recording.entries) {
            if (!e.hasSeparator()) {
                throw new PasswdFileException(file, e.line(), "malformed line: no ':' after the user name");
            }
            String problem = UserNames.problem(e.name());
            if (problem != null) {
                throw new PasswdFileException(file, e.line(), problem);
            }
            PasswdEntry previous = users.get(e.name());
            if (previous != null) {
                throw new PasswdFileException(
                        file,
                        e.line(),
                        "duplicate user " + e.name() + " (first defined on line " + previous.line() + ")");
            }
            String value = e.value();
            int colon = value.indexOf(':');
            String password = colon < 0 ? value : value.substring(0, colon);
            String scheme = null;
            String hash = password;
            if (password.startsWith("{")) {
                int close = password.indexOf('}');
                if (close < 0) {
                    throw new PasswdFileException(file, e.line(), "unterminated {SCHEME} prefix");
                }
                scheme = password.substring(1, close).toUpperCase(Locale.ROOT);
                hash = password.substring(close + 1);
                if (scheme.isEmpty()) {
                    throw new PasswdFileException(file, e.line(), "empty {SCHEME} prefix");
                }
                if (!knownScheme.test(scheme)) {
                    throw new PasswdFileException(file, e.line(), "unknown password scheme " + scheme);
                }
            } else if (!password.isEmpty() && !knownScheme.test(noPrefixScheme)) {
                throw new PasswdFileException(
                        file,
                        e.line(),
                        "hash without {SCHEME} prefix and the default verification scheme " + noPrefixScheme
                                + " is unknown");
            }
            users.put(e.name(), new PasswdEntry(e.name(), scheme, hash, e.line()));
        }
        return new PasswdFile(recording.lines, users);
    }

    /** A properties reader for passwd-file syntax; see the class comment of the parser. */
    static final class RecordingReader extends PropertiesConfiguration.PropertiesReader {

        record Entry(String name, String value, int line, boolean hasSeparator) {}

        static final class Recording {
            final List<String> lines = new ArrayList<>();
            final List<Entry> entries = new ArrayList<>();
        }

        private final Recording recording;
        private final List<String> comments = new ArrayList<>();
        private String name;
        private String value;

        RecordingReader(Reader in, Recording recording) {
            super(in);
            this.recording = recording;
        }

        @Override
        public String readProperty() throws IOException {
            comments.clear();
            while (true) {
                String line = readLine();
                if (line == null) {
                    return null;
                }
                recording.lines.add(line);
                if (line.isBlank() || line.startsWith("#")) {
                    comments.add(line);
                    continue;
                }
                return line;
            }
        }

        @Override
        protected void parseProperty(String line) {
            int colon = line.indexOf(':');
            name = colon < 0 ? line : line.substring(0, colon);
            value = colon < 0 ? "" : line.substring(colon + 1);
            recording.entries.add(new Entry(name, value, getLineNumber(), colon >= 0));
        }

        @Override
        public String getPropertyName() {
            return name;
        }

        @Override
        public String getPropertyValue() {
            return value;
        }

        @Override
        public String getPropertySeparator() {
            return ":";
        }

        @Override
        public List<String> getCommentLines() {
            return comments;
        }
    }
}
