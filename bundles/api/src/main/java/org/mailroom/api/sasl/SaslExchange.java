package org.mailroom.api.sasl;

import org.mailroom.api.auth.AuthResult;
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

    /**
     * The challenge to send when the credentials this exchange yielded were refused as
     * {@linkplain AuthResult.Status#INVALID invalid}, before the failure reply: the error step of
     * RFC 7628 3.2.2 (a JSON object saying {@code status}, {@code schemes} and {@code scope}) that
     * OAUTHBEARER and XOAUTH2 clients expect. The protocol sends it as a continuation, reads the
     * client's one response to it (RFC 7628: {@code AQ==}; XOAUTH2: empty) whatever it is, and
     * then gives its failure reply. Not asked for other outcomes: a temporary failure is replied
     * to at once.
     *
     * @return the challenge, or null (the default) for the failure reply at once
     * @since 2.1
     */
    default byte[] failureChallenge(AuthResult result) {
        return null;
    }
}
