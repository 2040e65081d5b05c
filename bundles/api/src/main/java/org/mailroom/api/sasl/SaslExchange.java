package org.mailroom.api.sasl;

import org.osgi.annotation.versioning.ConsumerType;

/** The server side of one SASL exchange: fed client responses until it yields credentials. */
@ConsumerType
public interface SaslExchange {

    /**
     * Evaluates the client's next response.
     *
     * @param response the decoded (not base64) client response; empty for an empty response and
     *     for a missing initial response
     * @return a challenge to send, or the credentials the client presented
     * @throws SaslException if the response is malformed
     */
    SaslStep evaluate(byte[] response) throws SaslException;
}
