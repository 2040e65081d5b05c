package org.mailroom.api.sasl;

import org.mailroom.api.auth.Credentials;

/** One step of a SASL exchange: either a server challenge or the final credentials. */
public record SaslStep(byte[] challenge, Credentials credentials) {

    public static SaslStep challenge(byte[] challenge) {
        return new SaslStep(challenge.clone(), null);
    }

    public static SaslStep done(Credentials credentials) {
        return new SaslStep(null, credentials);
    }

    public boolean isDone() {
        return credentials != null;
    }
}
