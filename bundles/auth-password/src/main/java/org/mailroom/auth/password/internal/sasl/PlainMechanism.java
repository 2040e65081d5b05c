package org.mailroom.auth.password.internal.sasl;

import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.sasl.SaslStep;
import org.osgi.service.component.annotations.Component;

/** SASL PLAIN (RFC 4616): {@code [authzid] NUL authcid NUL passwd}. */
@Component(service = SaslMechanism.class)
public final class PlainMechanism implements SaslMechanism {

    @Override
    public String name() {
        return "PLAIN";
    }

    @Override
    public boolean exposesSecret() {
        return true;
    }

    @Override
    public SaslExchange start() {
        return new Exchange();
    }

    static final class Exchange implements SaslExchange {
        private boolean challenged;
        private boolean done;

        @Override
        public SaslStep evaluate(byte[] response) throws SaslException {
            if (done) {
                throw new SaslException("PLAIN exchange already complete");
            }
            if (response.length == 0 && !challenged) {
                challenged = true;
                return SaslStep.challenge(new byte[0]);
            }
            done = true;
            return SaslStep.done(decode(response));
        }
    }

    static PasswordCredentials decode(byte[] message) throws SaslException {
        int first = indexOf(message, 0);
        int second = first < 0 ? -1 : indexOf(message, first + 1);
        if (first < 0 || second < 0 || indexOf(message, second + 1) >= 0) {
            throw new SaslException("PLAIN response must have exactly three NUL-separated fields");
        }
        String authzid = Utf8.decode(message, 0, first, "authorization identity");
        String authcid = Utf8.decode(message, first + 1, second, "authentication identity");
        String password = Utf8.decode(message, second + 1, message.length, "password");
        if (authcid.isEmpty()) {
            throw new SaslException("PLAIN response has an empty authentication identity");
        }
        if (password.isEmpty()) {
            throw new SaslException("PLAIN response has an empty password");
        }
        if (!authzid.isEmpty() && !authzid.equals(authcid)) {
            throw new SaslException("PLAIN authorization identity differs from the authentication identity");
        }
        return new PasswordCredentials(authcid, password);
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
