package org.mailroom.smtp.internal;

import org.mailroom.api.protocol.Protocol;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/** The smtp protocol service (see {@link Mode#SMTP}); listeners with {@code protocol = smtp} serve it. */
@Component(
        service = Protocol.class,
        configurationPid = SmtpProtocolComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Protocol.NAME + "=smtp")
@Designate(ocd = SmtpConfig.class)
public class SmtpComponent extends SmtpProtocolComponent {

    @Override
    Mode mode() {
        return Mode.SMTP;
    }
}
