package org.mailroom.pop3.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Mailroom POP3", description = "POP3 protocol settings (etc/org.mailroom.pop3.cfg)")
public @interface Pop3Config {

    @AttributeDefinition(description = "Allow USER/PASS, PLAIN and LOGIN on unencrypted non-loopback connections")
    boolean allowPlaintextAuth() default false;

    @AttributeDefinition(description = "Minimum seconds between two logins of one user (LOGIN-DELAY); 0 for none")
    int loginDelaySeconds() default 0;

    @AttributeDefinition(
            description =
                    "How long a command waits for a missing login or store service (being updated) before -ERR [SYS/TEMP]")
    int serviceWaitMillis() default 3000;

    @AttributeDefinition(description = "Failed or unknown commands before the connection is closed")
    int maxBadCommands() default 10;

    @AttributeDefinition(description = "Longest SASL continuation line accepted, in octets")
    int maxSaslLineLength() default 65536;
}
