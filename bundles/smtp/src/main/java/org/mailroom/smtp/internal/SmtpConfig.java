package org.mailroom.smtp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/org.mailroom.smtp.cfg}: see {@link SmtpSettings}. */
@ObjectClassDefinition(
        name = "Mailroom SMTP, submission and LMTP",
        description = "Limits and policy shared by the smtp, submission and lmtp protocols")
public @interface SmtpConfig {

    @AttributeDefinition(
            required = false,
            description = "Host name in the greeting and Received; empty: this machine's")
    String hostname() default "";

    @AttributeDefinition(description = "Largest message in octets (SIZE)")
    long maxMessageSize() default 26214400;

    @AttributeDefinition(description = "Recipients per message")
    int maxRecipients() default 100;

    @AttributeDefinition(description = "Errors before the session is closed")
    int maxBadCommands() default 10;

    @AttributeDefinition(description = "Commands between messages before the session is closed")
    int maxCommandsWithoutMail() default 50;

    @AttributeDefinition(description = "Longest line of message data in octets")
    int maxDataLineLength() default 65536;

    @AttributeDefinition(description = "A bare CR or LF in message data: reject or normalise")
    String bareLineEnds() default "reject";

    @AttributeDefinition(description = "VRFY tells whether a user exists (false: 252 for every address)")
    boolean vrfy() default false;

    @AttributeDefinition(description = "Offer AUTH with a reusable secret without TLS")
    boolean allowPlaintextAuth() default false;

    @AttributeDefinition(description = "A submission's envelope sender must be an address of the logged-in user")
    boolean senderMustBeOwned() default true;

    @AttributeDefinition(description = "How long a command waits for a missing service before a 4xx reply")
    int serviceWaitMillis() default 3000;

    @AttributeDefinition(description = "Longest SASL response line")
    int maxSaslLineLength() default 65536;
}
