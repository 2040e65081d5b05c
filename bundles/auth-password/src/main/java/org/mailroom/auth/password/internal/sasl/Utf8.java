package org.mailroom.auth.password.internal.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.mailroom.api.sasl.SaslException;

final class Utf8 {

    private Utf8() {}

    /** Strict UTF-8 decoding: malformed input is a protocol error, not a replacement character. */
    static String decode(byte[] bytes, int from, int to, String what) throws SaslException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SaslException(what + " is not valid UTF-8");
        }
    }
}
