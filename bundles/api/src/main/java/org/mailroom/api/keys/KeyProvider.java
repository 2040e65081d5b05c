package org.mailroom.api.keys;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Key-encryption keys, by id. New data keys are wrapped under the current key; a key that is no
 * longer current still unwraps what was wrapped under it, so rotating keys never makes stored
 * mail unreadable. Registered as an OSGi service; callers look it up for every use.
 */
@ConsumerType
public interface KeyProvider {

    /** Service property: the provider's name (e.g. {@code pkcs12}), for target filters. */
    String NAME = "mailroom.keys.name";

    /** The id of the key {@link #wrap} uses now. */
    String currentKeyId() throws KeyException;

    /** Wraps (encrypts and authenticates) a data key under the current key. */
    WrappedKey wrap(byte[] dataKey) throws KeyException;

    /**
     * @return the data key
     * @throws KeyException permanent if the key id is unknown or the wrapped octets fail
     *     authentication; temporary if the provider cannot answer now (an HSM unreachable)
     */
    byte[] unwrap(WrappedKey wrapped) throws KeyException;
}
