package org.mailroom.smtp.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import org.mailroom.smtp.internal.DataReader.BareLineEnds;

/**
 * The settings of {@code etc/org.mailroom.smtp.cfg}, shared by the SMTP, submission and LMTP
 * protocols.
 *
 * @param hostname the name in the greeting, EHLO and Received headers
 * @param maxMessageSize the largest message accepted, in octets (SIZE)
 * @param maxRecipients recipients per message
 * @param maxBadCommands errors before the session is closed with 421
 * @param maxCommandsWithoutMail commands (NOOP, RSET, VRFY, HELP, EHLO, ...) between messages
 *     before the session is closed with 421
 * @param maxDataLineLength the longest line of message data, in octets
 * @param bareLineEnds what a bare CR or LF in message data does
 * @param vrfy whether VRFY says if a user exists (off: 252 for every address)
 * @param allowPlaintextAuth whether AUTH with a reusable secret is offered without TLS
 * @param senderMustBeOwned whether a submission's envelope sender must be an address of the
 *     logged-in user
 * @param serviceWaitMillis how long a command waits for a missing service before a 4xx reply
 * @param maxSaslLineLength the longest SASL response line
 */
record SmtpSettings(
        String hostname,
        long maxMessageSize,
        int maxRecipients,
        int maxBadCommands,
        int maxCommandsWithoutMail,
        int maxDataLineLength,
        BareLineEnds bareLineEnds,
        boolean vrfy,
        boolean allowPlaintextAuth,
        boolean senderMustBeOwned,
        int serviceWaitMillis,
        int maxSaslLineLength) {

    /** @throws IllegalArgumentException naming the key of a bad value and why it is bad */
    static SmtpSettings from(SmtpConfig config, Map<String, ?> properties) {
        for (String key : new String[] {"vrfy", "allowPlaintextAuth", "senderMustBeOwned"}) {
            if (properties.get(key) instanceof String text
                    && !text.equalsIgnoreCase("true")
                    && !text.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("key " + key + ": must be true or false, not '" + text + "'");
            }
        }
        positive("maxMessageSize", config.maxMessageSize());
        positive("maxRecipients", config.maxRecipients());
        positive("maxBadCommands", config.maxBadCommands());
        positive("maxCommandsWithoutMail", config.maxCommandsWithoutMail());
        if (config.maxDataLineLength() < 1000) {
            throw new IllegalArgumentException("key maxDataLineLength: must be at least 1000 (RFC 5321 4.5.3.1.6), not "
                    + config.maxDataLineLength());
        }
        if (config.serviceWaitMillis() < 0) {
            throw new IllegalArgumentException("key serviceWaitMillis: must not be negative");
        }
        if (config.maxSaslLineLength() < 512) {
            throw new IllegalArgumentException("key maxSaslLineLength: must be at least 512");
        }
        BareLineEnds bare;
        try {
            bare = BareLineEnds.valueOf(config.bareLineEnds().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "key bareLineEnds: must be reject or normalise, not '" + config.bareLineEnds() + "'");
        }
        String hostname = config.hostname() == null ? "" : config.hostname().trim();
        if (hostname.isEmpty()) {
            hostname = localHostName();
        } else if (!hostname.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("key hostname: '" + hostname + "' is not a host name");
        }
        return new SmtpSettings(
                hostname,
                config.maxMessageSize(),
                config.maxRecipients(),
                config.maxBadCommands(),
                config.maxCommandsWithoutMail(),
                config.maxDataLineLength(),
                bare,
                config.vrfy(),
                config.allowPlaintextAuth(),
                config.senderMustBeOwned(),
                config.serviceWaitMillis(),
                config.maxSaslLineLength());
    }

    private static void positive(String key, long value) {
        if (value < 1) {
            throw new IllegalArgumentException("key " + key + ": must be positive, not " + value);
        }
    }

    private static String localHostName() {
        try {
            String name = InetAddress.getLocalHost().getCanonicalHostName();
            return name.matches("[A-Za-z0-9.-]+") ? name : "localhost";
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
