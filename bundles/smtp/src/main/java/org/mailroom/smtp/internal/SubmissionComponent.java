package org.mailroom.smtp.internal;

import org.mailroom.api.protocol.Protocol;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The submission protocol service (see {@link Mode#SUBMISSION}); listeners with {@code protocol = submission} serve it. */
@Component(
        service = Protocol.class,
        configurationPid = SmtpProtocolComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Protocol.NAME + "=submission")
public class SubmissionComponent extends SmtpProtocolComponent {

    @Override
    Mode mode() {
        return Mode.SUBMISSION;
    }
}
