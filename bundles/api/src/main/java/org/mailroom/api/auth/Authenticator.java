package org.mailroom.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Verifies credentials. Registered as an OSGi service with the {@link #CREDENTIAL_TYPES} property;
 * protocols choose, per attempt, the highest-ranked authenticator (by {@code service.ranking})
 * that serves the credential type at hand, so authenticators can be added, replaced and removed
 * while the server runs.
 *
 * <p>Implementations are thread-safe and may block (hashing, directory look-ups): protocols call
 * them off their I/O threads.
 */
@ConsumerType
public interface Authenticator {

    /** Service property: the credential types served, e.g. {@code password}. */
    String CREDENTIAL_TYPES = "mailroom.credential.types";

    /** Never throws for bad credentials: those are {@link AuthResult.Status#INVALID}. */
    AuthResult authenticate(Credentials credentials);
}
