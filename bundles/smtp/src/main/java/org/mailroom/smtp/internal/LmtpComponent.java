package org.mailroom.smtp.internal;

import org.mailroom.api.protocol.Protocol;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The lmtp protocol service (see {@link Mode#LMTP}); listeners with {@code protocol = lmtp} serve it. */
@Component(
        service = Protocol.class,
        configurationPid = SmtpProtocolComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Protocol.NAME + "=lmtp")
public class LmtpComponent extends SmtpProtocolComponent {

    @Override
    Mode mode() {
        return Mode.LMTP;
    }
}
