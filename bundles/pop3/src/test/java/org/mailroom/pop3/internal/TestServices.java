package org.mailroom.pop3.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.store.MailStore;

/** {@link Pop3Services} whose services the test swaps in and out, as bundles coming and going would. */
final class TestServices implements Pop3Services {

    volatile Authenticator authenticator;
    volatile MailStore store;
    final List<SaslMechanism> mechanisms = new CopyOnWriteArrayList<>();
    volatile int storeLookups;

    @Override
    public Authenticator authenticator(String credentialType) {
        return PasswordCredentials.TYPE.equals(credentialType) ? authenticator : null;
    }

    @Override
    public MailStore store() {
        storeLookups++;
        return store;
    }

    @Override
    public List<SaslMechanism> mechanisms() {
        return List.copyOf(mechanisms);
    }
}
