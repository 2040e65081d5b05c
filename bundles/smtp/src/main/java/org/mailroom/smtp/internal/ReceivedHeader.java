package org.mailroom.smtp.internal;

import java.net.InetSocketAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import javax.net.ssl.SSLSession;

/**
 * The {@code Received} trace header (RFC 5321 section 4.4) written on top of every accepted
 * message, laid out as Postfix writes it, with the protocol names of RFC 3848 (ESMTPSA, LMTPS,
 * ...; UTF8SMTP... for SMTPUTF8 transactions, RFC 6531):
 *
 * <pre>
 * Received: from client.example (unknown [192.0.2.1])
 *         (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
 *         (Authenticated sender: alice)
 *         by mail.example.org (Mailroom) with ESMTPSA id mh2k3x9a-4f8z1q0p2a
 *         for &lt;bob@example.org&gt;; Wed, 2 Dec 2026 15:00:00 +0000
 * </pre>
 *
 * The client's host name is not looked up (Postfix writes {@code unknown} when it has none).
 */
final class ReceivedHeader {

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private ReceivedHeader() {}

    static String build(
            Mode mode,
            boolean esmtp,
            String helo,
            InetSocketAddress client,
            SSLSession tls,
            String user,
            String hostname,
            String id,
            String singleRecipient,
            boolean smtputf8,
            ZonedDateTime now) {
        StringBuilder h = new StringBuilder("Received: from ").append(printable(helo));
        h.append(" (unknown [")
                .append(
                        client == null || client.getAddress() == null
                                ? "unknown"
                                : client.getAddress().getHostAddress())
                .append("])");
        if (tls != null) {
            int bits = bits(tls.getCipherSuite());
            h.append("\r\n\t(using ")
                    .append(tls.getProtocol())
                    .append(" with cipher ")
                    .append(tls.getCipherSuite());
            if (bits > 0) {
                h.append(" (").append(bits).append('/').append(bits).append(" bits)");
            }
            h.append(')');
        }
        if (user != null) {
            h.append("\r\n\t(Authenticated sender: ").append(printable(user)).append(')');
        }
        h.append("\r\n\tby ")
                .append(hostname)
                .append(" (Mailroom) with ")
                .append(protocol(mode, esmtp, tls != null, user != null, smtputf8));
        h.append(" id ").append(id);
        h.append("\r\n\t");
        if (singleRecipient != null) {
            h.append("for <").append(printable(singleRecipient)).append(">; ");
        }
        h.append(DATE.format(now)).append("\r\n");
        return h.toString();
    }

    /** RFC 3848 and RFC 6531 "with" protocol names. */
    static String protocol(Mode mode, boolean esmtp, boolean tls, boolean authenticated, boolean smtputf8) {
        String base = mode == Mode.LMTP ? "LMTP" : esmtp ? "ESMTP" : "SMTP";
        if (smtputf8) {
            base = mode == Mode.LMTP ? "UTF8LMTP" : "UTF8SMTP";
        }
        if (base.equals("SMTP")) {
            return tls || authenticated ? "ESMTP" + (tls ? "S" : "") + (authenticated ? "A" : "") : "SMTP";
        }
        return base + (tls ? "S" : "") + (authenticated ? "A" : "");
    }

    /** The key size of a cipher suite, as Postfix shows it; 0 when the name does not tell. */
    static int bits(String suite) {
        if (suite.contains("AES_256") || suite.contains("CHACHA20")) {
            return 256;
        }
        if (suite.contains("AES_128")) {
            return 128;
        }
        return 0;
    }

    /** Client text in a header: printable ASCII and UTF-8 letters only, so it can never break the header. */
    private static String printable(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints()
                .forEach(c -> b.appendCodePoint(
                        c < 0x20 || c == 0x7f || c == '(' || c == ')' || c == '<' || c == '>' ? '?' : c));
        return b.toString();
    }
}
