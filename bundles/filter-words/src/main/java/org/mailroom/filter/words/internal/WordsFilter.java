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
 * The sensitive-words filter: dictionaries and regular expressions from a rules file, matched in
 * one pass over the Subject and every text part, with per-rule actions and counts. The rules file
 * and the word files it names are checked for changes every few seconds; a version with a bad line
 * is reported (file, line, reason) and the previous rules stay. Configuration PID {@value #PID}.
 */
@Component(
        service = ContentFilter.class,
        configurationPid = WordsFilter.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = ContentFilter.NAME + "=" + WordsFilter.NAME)
@Designate(ocd = WordsFilter.Config.class)
public class WordsFilter implements ContentFilter {

    static final String PID = "org.mailroom.filter.words";
    static final String NAME = "sensitive-words";

    @ObjectClassDefinition(name = "Mailroom sensitive-words filter", description = "Words and patterns in mail")
    public @interface Config {
        @AttributeDefinition(description = "The rules file; a relative path is resolved against karaf.etc")
        String rulesFile() default "mailroom-words.rules";

        @AttributeDefinition(description = "Match full-width letters, digits and signs as their ASCII forms")
        boolean foldWidth() default true;

        @AttributeDefinition(description = "Match letters regardless of case")
        boolean foldCase() default true;

        @AttributeDefinition(description = "Match traditional Chinese characters as their simplified forms")
        boolean foldTraditional() default true;

        @AttributeDefinition(description = "Reply text for a refused message (the rule's line is added)")
        String refusalText() default "Message refused by the content policy";

        @AttributeDefinition(description = "Header field naming the tag rules a delivered message matched")
        String tagHeader() default "X-Mailroom-Words";

        @AttributeDefinition(description = "Seconds between checks of the rules files for changes")
        int reloadIntervalSeconds() default 2;
    }

    private final RulesFilter filter = new RulesFilter("Sensitive words");

    @Activate
    void activate(Config config, Map<String, Object> properties) {
        filter.start(() -> settings(config, properties), properties, PID, "the sensitive-words filter");
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

    /** The rules in force, null if none (for tests). */
    Rules rules() {
        return filter.rules();
    }

    void reloadIfChanged() {
        filter.reloadIfChanged();
    }

    static Settings settings(Config config, Map<String, Object> properties) {
        return Settings.of(
                config.rulesFile(),
                new Folding(config.foldWidth(), config.foldCase(), config.foldTraditional()),
                config.refusalText(),
                config.tagHeader(),
                config.reloadIntervalSeconds(),
                properties);
    }
}
