package org.mailroom.api.auth;

import java.net.InetAddress;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The login path every protocol shares: it picks the {@link Authenticator} for the credential
 * type, applies the failure penalty of the client address and of the user, verifies on a bounded
 * pool of its own, and completes when the answer may be given to the client. Failures are
 * answered after the penalty delay however fast they were decided, so a client learns nothing
 * from timing, and a client that leaves before then has its attempt discarded.
 *
 * <p>Registered as an OSGi service by the login bundle; protocols look it up for every attempt.
 *
 * @since 1.1
 */
@ProviderType
public interface LoginService {

    /**
     * Verifies credentials presented by a client. The stage never completes exceptionally: bad
     * credentials are {@link AuthResult.Status#INVALID}, an overloaded or missing authenticator
     * {@link AuthResult.Status#UNAVAILABLE}. Cancelling the stage (the client left) drops the
     * attempt if it has not been verified yet.
     *
     * @param client the client's address, for the penalty and the log
     * @param protocol the protocol name, for the log (e.g. {@code pop3})
     */
    CompletionStage<AuthResult> login(Credentials credentials, InetAddress client, String protocol);

    /**
     * A failure the protocol decided itself (a malformed SASL response, an empty password):
     * counted and answered like a wrong password.
     *
     * @param user the claimed user, or null if none was given
     */
    CompletionStage<AuthResult> reject(String user, String reason, InetAddress client, String protocol);
}
