package org.mailroom.filter.footer.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The footer filter {@value #NAME}: a disclaimer footer on every delivered copy and a
 * per-recipient trace mark ({@link TraceMarks}) in the footer and a header field. The footer files
 * are read again when they change; a file that cannot be read is logged with its name and the
 * previous footer stays. Configuration PID {@value #PID}.
 */
@Component(
        service = {ContentFilter.class, FooterFilter.class},
        configurationPid = FooterFilter.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = ContentFilter.NAME + "=" + FooterFilter.NAME)
@Designate(ocd = FooterFilter.Config.class)
public class FooterFilter implements ContentFilter {

    static final String PID = "org.mailroom.filter.footer";
    static final String NAME = "footer";
    private static final Logger LOG = LoggerFactory.getLogger(FooterFilter.class);

    @ObjectClassDefinition(name = "Mailroom footer filter", description = "Disclaimer footer and trace marks")
    public @interface Config {
        @AttributeDefinition(description = "The plain-text footer (UTF-8); relative to karaf.etc")
        String footerFile() default "mailroom-footer.txt";

        @AttributeDefinition(description = "The HTML footer (UTF-8); empty: made from the text")
        String footerHtmlFile() default "";

        @AttributeDefinition(description = "A .png, .jpg or .gif shown inline in the HTML footer; empty: none")
        String logoFile() default "";

        @AttributeDefinition(description = "Signed or encrypted messages: skip (unchanged) or tag (a header says why)")
        String signedMessages() default "skip";

        @AttributeDefinition(description = "Give each recipient's copy a trace code (${trace} in the footer)")
        boolean traceMark() default true;

        @AttributeDefinition(description = "Header field carrying the trace code")
        String traceHeader() default "X-Mailroom-Trace";

        @AttributeDefinition(description = "Key of the trace codes (made if missing); relative to karaf.etc")
        String traceKeyFile() default "mailroom-trace.key";

        @AttributeDefinition(description = "Folder of the trace ledger; empty: data/mailroom/trace")
        String traceDirectory() default "";
    }

    /** The settings with what they name, read. */
    private record Loaded(FooterSettings settings, Footer footer, TraceMarks marks, List<Object> stamps) {}

    private volatile Loaded loaded;
    private volatile String file = PID;

    @Activate
    void activate(Config config, Map<String, Object> properties) {
        file = String.valueOf(properties.getOrDefault("felix.fileinstall.filename", PID));
        FooterSettings settings;
        try {
            settings = FooterSettings.of(config, properties);
        } catch (IllegalArgumentException e) {
            String problem = "Bad configuration in " + file + ": " + e.getMessage();
            LOG.error("{}; the footer filter stays inactive", problem);
            throw new IllegalArgumentException(problem, e);
        }
        loaded = load(settings);
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        try {
            Loaded next = load(FooterSettings.of(config, properties));
            if (next != null) {
                loaded = next;
            }
        } catch (IllegalArgumentException e) {
            LOG.error("Bad configuration in {}: {}; the previous settings stay in force", file, e.getMessage());
        }
    }

    /** Null (and logged) when a file cannot be read. */
    private Loaded load(FooterSettings s) {
        List<Object> stamps = stamps(s);
        try {
            String text = Files.readString(s.footerFile(), UTF_8).strip();
            String html = s.htmlFile() == null
                    ? htmlOf(text)
                    : Files.readString(s.htmlFile(), UTF_8).strip();
            byte[] logo = s.logoFile() == null ? null : Files.readAllBytes(s.logoFile());
            TraceMarks marks = s.traceMark() ? TraceMarks.open(s.traceKeyFile(), s.traceDirectory()) : null;
            Footer footer =
                    new Footer(text, html, logo, s.logoFile() == null ? null : FooterSettings.logoType(s.logoFile()));
            LOG.info(
                    "Footer from {} ({} characters){}{}",
                    s.footerFile(),
                    text.length(),
                    logo == null ? "" : ", logo " + s.logoFile(),
                    marks == null ? "" : ", trace marks on");
            return new Loaded(s, footer, marks, stamps);
        } catch (IOException | RuntimeException e) {
            Loaded previous = loaded;
            LOG.error(
                    "Footer filter ({}): cannot read {}; {}",
                    file,
                    e.toString(),
                    previous == null ? "mail is deferred until it can" : "the previous footer stays");
            return previous == null
                    ? new Loaded(s, null, null, stamps)
                    : new Loaded(previous.settings(), previous.footer(), previous.marks(), stamps);
        }
    }

    @Override
    public FilterSession open(FilterContext context) {
        Loaded current = loaded;
        if (!Objects.equals(stamps(current.settings()), current.stamps())) {
            synchronized (this) {
                if (loaded == current) {
                    loaded = load(current.settings());
                }
            }
            current = loaded;
        }
        if (current.footer() == null) {
            return () -> FilterVerdict.defer("Footer not available, try again later");
        }
        return new FooterSession(current.settings(), current.footer(), current.marks(), context);
    }

    /** The trace marks in force, null when they are off. */
    TraceMarks marks() {
        Loaded current = loaded;
        return current == null ? null : current.marks();
    }

    private static List<Object> stamps(FooterSettings s) {
        List<Object> stamps = new ArrayList<>();
        for (Path p : new Path[] {s.footerFile(), s.htmlFile(), s.logoFile()}) {
            if (p != null) {
                try {
                    FileTime t = Files.getLastModifiedTime(p);
                    stamps.add(p + "@" + t.toMillis() + "/" + Files.size(p));
                } catch (IOException e) {
                    stamps.add(p + " missing");
                }
            }
        }
        return stamps;
    }

    /** The text footer as HTML: escaped, one line per line, in a small grey block. */
    static String htmlOf(String text) {
        StringBuilder html = new StringBuilder("<div style=\"color:#666;font-size:small\">");
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                html.append("<br>\n");
            }
            html.append(lines[i].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
        }
        return html.append("</div>").toString();
    }
}
