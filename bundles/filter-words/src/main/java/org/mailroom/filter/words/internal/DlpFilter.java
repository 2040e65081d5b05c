package org.mailroom.filter.words.internal;

import java.util.Map;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The data-loss prevention filter: a second chain member on the same rules engine as the
 * sensitive words, with a rules file of its own (typically {@code cn-id}, {@code bank-card},
 * {@code cn-mobile}, {@code email} and custom {@code regex} rules with counts), so that its policy,
 * ranking and required status are set apart. Configuration PID {@value #PID}.
 */
@Component(
        service = ContentFilter.class,
        configurationPid = DlpFilter.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = ContentFilter.NAME + "=" + DlpFilter.NAME)
@Designate(ocd = DlpFilter.Config.class)
public class DlpFilter implements ContentFilter {

    static final String PID = "org.mailroom.filter.dlp";
    static final String NAME = "dlp";

    @ObjectClassDefinition(name = "Mailroom data-loss prevention filter", description = "Personal data in mail")
    public @interface Config {
        @AttributeDefinition(description = "The rules file; a relative path is resolved against karaf.etc")
        String rulesFile() default "mailroom-dlp.rules";

        @AttributeDefinition(description = "Match full-width digits, letters and signs as their ASCII forms")
        boolean foldWidth() default true;

        @AttributeDefinition(description = "Match letters regardless of case")
        boolean foldCase() default true;

        @AttributeDefinition(description = "Match traditional Chinese characters as their simplified forms")
        boolean foldTraditional() default true;

        @AttributeDefinition(description = "Reply text for a refused message (the rule's line is added)")
        String refusalText() default "Message refused by the data-loss policy";

        @AttributeDefinition(description = "Header field naming the tag rules a delivered message matched")
        String tagHeader() default "X-Mailroom-DLP";

        @AttributeDefinition(description = "Seconds between checks of the rules files for changes")
        int reloadIntervalSeconds() default 2;
    }

    private final RulesFilter filter = new RulesFilter("DLP");

    @Activate
    void activate(Config config, Map<String, Object> properties) {
        filter.start(() -> settings(config, properties), properties, PID, "the DLP filter");
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        filter.update(() -> settings(config, properties), properties, PID);
    }

    @Deactivate
    void deactivate() {
        filter.stop();
    }

    @Override
    public FilterSession open(FilterContext context) {
        return filter.open(context);
    }

    private static Settings settings(Config config, Map<String, Object> properties) {
        return Settings.of(
                config.rulesFile(),
                new Folding(config.foldWidth(), config.foldCase(), config.foldTraditional()),
                config.refusalText(),
                config.tagHeader(),
                config.reloadIntervalSeconds(),
                properties);
    }
}
