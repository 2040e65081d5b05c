package org.mailroom.auth.password.internal.sasl;

import java.nio.charset.StandardCharsets;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.sasl.SaslStep;
import org.osgi.service.component.annotations.Component;

/**
 * SASL LOGIN (draft-murchison-sasl-login): challenges "Username:" and "Password:". A non-empty
 * initial response is taken as the user name.
 */
@Component(service = SaslMechanism.class)
public final class LoginMechanism implements SaslMechanism {

    static final byte[] USERNAME = "Username:".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PASSWORD = "Password:".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String name() {
        return "LOGIN";
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
        private enum State {
            START,
            USER_ASKED,
            PASSWORD_ASKED,
            DONE
        }

        private State state = State.START;
        private String user;

        @Override
        public SaslStep evaluate(byte[] response) throws SaslException {
            switch (state) {
                case START:
                    if (response.length == 0) {
                        state = State.USER_ASKED;
                        return SaslStep.challenge(USERNAME);
                    }
                    return takeUser(response);
                case USER_ASKED:
                    return takeUser(response);
                case PASSWORD_ASKED:
                    String password = Utf8.decode(response, 0, response.length, "password");
                    state = State.DONE;
                    if (password.isEmpty()) {
                        throw new SaslException("LOGIN password is empty");
                    }
                    return SaslStep.done(new PasswordCredentials(user, password));
                default:
                    throw new SaslException("LOGIN exchange already complete");
            }
        }

        private SaslStep takeUser(byte[] response) throws SaslException {
            String name = Utf8.decode(response, 0, response.length, "user name");
            if (name.isEmpty()) {
                state = State.DONE;
                throw new SaslException("LOGIN user name is empty");
            }
            user = name;
            state = State.PASSWORD_ASKED;
            return SaslStep.challenge(PASSWORD);
        }
    }
}
