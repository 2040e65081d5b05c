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
 * The attachment policy: a chain member on the same rules engine as the sensitive words, whose
 * rules file holds attachment rules ({@code extension}, {@code type}, {@code size}, {@code
 * mismatch}, {@code unreadable-archive}, {@code unreadable-document}; word and regex rules work
 * there too). File names inside
 * zip archives count as attachments' names. Configuration PID {@value #PID}.
 */
@Component(
        service = ContentFilter.class,
        configurationPid = AttachmentFilter.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = ContentFilter.NAME + "=" + AttachmentFilter.NAME)
@Designate(ocd = AttachmentFilter.Config.class)
public class AttachmentFilter implements ContentFilter {

    static final String PID = "org.mailroom.filter.attachments";
    static final String NAME = "attachments";

    @ObjectClassDefinition(
            name = "Mailroom attachment-policy filter",
            description = "Attachments by name, type and size")
    public @interface Config {
        @AttributeDefinition(description = "The rules file; a relative path is resolved against karaf.etc")
        String rulesFile() default "mailroom-attachments.rules";

        @AttributeDefinition(description = "Reply text for a refused message (the rule's line is added)")
        String refusalText() default "Message refused by the attachment policy";

        @AttributeDefinition(description = "Header field naming the tag rules a delivered message matched")
        String tagHeader() default "X-Mailroom-Attachments";

        @AttributeDefinition(description = "Seconds between checks of the rules files for changes")
        int reloadIntervalSeconds() default 2;
    }

    private final RulesFilter filter = new RulesFilter("Attachment policy");

    @Activate
    void activate(Config config, Map<String, Object> properties) {
        filter.start(() -> settings(config, properties), properties, PID, "the attachment-policy filter");
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
                new Folding(true, true, false),
                config.refusalText(),
                config.tagHeader(),
                config.reloadIntervalSeconds(),
                properties);
    }
}
