package org.mailroom.filter.clamav.internal;

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
 * The ClamAV adapter: streams each delivered message to clamd with INSTREAM and rejects,
 * quarantines or tags it by clamd's answer. One connection per message, opened and closed in the
 * session's {@code finish}: the component holds nothing but its settings, so deactivation has
 * nothing to close. Configuration PID {@value #PID}.
 */
@Component(
        service = ContentFilter.class,
        immediate = true,
        configurationPid = ClamavFilter.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {ContentFilter.NAME + "=" + ClamavFilter.NAME, "service.ranking:Integer=100"})
@Designate(ocd = ClamavFilter.Config.class)
public class ClamavFilter implements ContentFilter {

    static final String PID = "org.mailroom.filter.clamav";
    static final String NAME = "clamav";

    private static final Logger LOG = LoggerFactory.getLogger(ClamavFilter.class);

    /** The settings, for the metatype service; the component reads its properties itself (ClamavSettings). */
    @ObjectClassDefinition(name = "Mailroom ClamAV adapter", description = "Virus scanning with clamd")
    public @interface Config {
        @AttributeDefinition(description = "Where clamd listens: tcp:HOST:PORT or unix:/PATH")
        String address() default "tcp:127.0.0.1:3310";

        @AttributeDefinition(description = "Seconds to connect, and for each wait for clamd to take or send data")
        int timeoutSeconds() default 30;

        @AttributeDefinition(description = "What an infected message gets: reject or quarantine")
        String onVirus() default "reject";

        @AttributeDefinition(description = "When clamd is down, slow or fails: defer or accept-tag")
        String onFailure() default "defer";

        @AttributeDefinition(description = "Messages larger than this (octets) are not scanned; 0: no limit")
        long maxScanSize() default 0;

        @AttributeDefinition(description = "What a message larger than maxScanSize gets: accept-tag, defer or reject")
        String onTooLarge() default "accept-tag";

        @AttributeDefinition(description = "Header field saying whether a delivered message was scanned; empty: none")
        String header() default "X-Mailroom-Virus-Scan";
    }

    private volatile ClamavSettings settings;

    /** A {@code service.ranking} in the cfg file arrives as text; local delivery ranks by it all the same. */
    @Activate
    void activate(Map<String, Object> properties) {
        settings = ClamavSettings.required(properties, PID);
        LOG.info("ClamAV adapter scanning with clamd at {}", settings.address());
    }

    @Modified
    void modified(Map<String, Object> properties) {
        ClamavSettings.changed(properties, PID).ifPresent(s -> {
            settings = s;
            LOG.info("ClamAV adapter scanning with clamd at {}", s.address());
        });
    }

    @Override
    public FilterSession open(FilterContext context) {
        return new ClamavSession(settings, context);
    }

    /** The settings in force (for tests). */
    ClamavSettings settings() {
        return settings;
    }
}
