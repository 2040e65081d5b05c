package org.mailroom.filter.spamd.internal;

import java.util.Map;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
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
 * The SpamAssassin adapter: sends each delivered message to spamd (SPAMC SYMBOLS) and tags,
 * quarantines or refuses it by its score, after removing the {@code X-Spam-*} fields the sender
 * wrote. One connection per message, opened and closed in the session's {@code finish}: the
 * component holds nothing but its settings. Configuration PID
 * {@value #PID}.
 */
@Component(
        service = ContentFilter.class,
        immediate = true,
        configurationPid = SpamdFilter.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {ContentFilter.NAME + "=" + SpamdFilter.NAME, "service.ranking:Integer=50"})
@Designate(ocd = SpamdFilter.Config.class)
public class SpamdFilter implements ContentFilter {

    static final String PID = "org.mailroom.filter.spamd";
    static final String NAME = "spamassassin";

    private static final Logger LOG = LoggerFactory.getLogger(SpamdFilter.class);

    /** The settings, for the metatype service; the component reads its properties itself (SpamdSettings). */
    @ObjectClassDefinition(name = "Mailroom SpamAssassin adapter", description = "Spam scoring with spamd")
    public @interface Config {
        @AttributeDefinition(description = "Where spamd listens: tcp:HOST:PORT or unix:/PATH")
        String address() default "tcp:127.0.0.1:783";

        @AttributeDefinition(description = "The User spamd applies the preferences of; %u: the local user")
        String user() default "mailroom";

        @AttributeDefinition(description = "Seconds to connect, and for each wait for spamd to take or send data")
        int timeoutSeconds() default 30;

        @AttributeDefinition(description = "When spamd is down, slow or fails: defer or accept-tag")
        String onFailure() default "accept-tag";

        @AttributeDefinition(description = "Messages larger than this (octets) are not scanned; 0: no limit")
        long maxScanSize() default 512_000;

        @AttributeDefinition(description = "What a message larger than maxScanSize gets: accept-tag, defer or reject")
        String onTooLarge() default "accept-tag";

        @AttributeDefinition(description = "Score from which mail is tagged as spam; empty: spamd's threshold")
        String tagScore() default "";

        @AttributeDefinition(description = "Score from which mail is quarantined; empty: never")
        String quarantineScore() default "";

        @AttributeDefinition(description = "Score from which mail is refused (550 5.7.1); empty: never")
        String rejectScore() default "";
    }

    private volatile SpamdSettings settings;

    /** A {@code service.ranking} in the cfg file arrives as text; local delivery ranks by it all the same. */
    @Activate
    void activate(Map<String, Object> properties) {
        settings = SpamdSettings.required(properties, PID);
        LOG.info("SpamAssassin adapter scoring with spamd at {}", settings.address());
    }

    @Modified
    void modified(Map<String, Object> properties) {
        SpamdSettings.changed(properties, PID).ifPresent(s -> {
            settings = s;
            LOG.info("SpamAssassin adapter scoring with spamd at {}", s.address());
        });
    }

    @Override
    public FilterSession open(FilterContext context) {
        return new SpamdSession(settings, context);
    }

    /** The settings in force (for tests). */
    SpamdSettings settings() {
        return settings;
    }
}
