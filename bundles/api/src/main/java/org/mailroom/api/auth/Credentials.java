package org.mailroom.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a client presented to prove who it is. Each kind has a {@link #type()} that
 * {@link Authenticator} services list in their {@link Authenticator#CREDENTIAL_TYPES} property.
 */
@ConsumerType
public interface Credentials {

    /** The user the client claims to be (the authentication identity). */
    String user();

    /** The credential type, e.g. {@link PasswordCredentials#TYPE}. */
    String type();
}
