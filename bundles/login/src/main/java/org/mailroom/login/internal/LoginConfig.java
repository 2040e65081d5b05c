package org.mailroom.login.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Mailroom login",
        description = "Failure penalties and password verification (etc/org.mailroom.login.cfg)")
public @interface LoginConfig {

    @AttributeDefinition(
            description =
                    "Least time before a failed login is answered, in milliseconds; doubles with each recent failure")
    int failedLoginDelayMillis() default 2000;

    @AttributeDefinition(description = "Longest penalty delay, in milliseconds")
    int maxPenaltyMillis() default 15000;

    @AttributeDefinition(description = "Seconds after the last failure until an address or user is forgiven")
    int penaltyWindowSeconds() default 900;

    @AttributeDefinition(
            description =
                    "Once an address or user has failed, the least time between two of its verifications, in milliseconds")
    int penalizedIntervalMillis() default 1000;

    @AttributeDefinition(description = "Verifications at once for one address (or user) without recent failures")
    int maxConcurrentPerAddress() default 4;

    @AttributeDefinition(
            description = "Hours a successful login from an address exempts that user there from others' penalties")
    int trustedLoginHours() default 24;

    @AttributeDefinition(description = "Threads that verify passwords; 0 for the number of processors")
    int verifyThreads() default 0;

    @AttributeDefinition(
            description = "Verifications that may wait for a thread; beyond it logins get a temporary error")
    int verifyQueueLength() default 64;

    @AttributeDefinition(
            description =
                    "How long a login waits for a missing or unavailable authenticator (being updated), in milliseconds")
    int serviceWaitMillis() default 3000;
}
