package org.mailroom.auth.oauth2.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.regex.Pattern;
import org.mailroom.api.auth.BearerCredentials;
import org.mailroom.api.sasl.SaslException;

/** The client messages of OAUTHBEARER (RFC 7628 3.1) and XOAUTH2 (Google's), decoded. */
final class BearerMessages {

    private static final char SEPARATOR = '\u0001';
    /** RFC 6750 b64token: what a bearer token may be made of. */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    private BearerMessages() {}

    /**
     * {@code gs2-header kvsep *(key "=" value kvsep) kvsep}, e.g.
     * {@code n,a=user@example.com,^Ahost=server^Aport=143^Aauth=Bearer TOKEN^A^A}.
     */
    static BearerCredentials oauthBearer(byte[] message) throws SaslException {
        String text = utf8(message);
        int headerEnd = text.indexOf(SEPARATOR);
        if (headerEnd < 0) {
            throw new SaslException("OAUTHBEARER message has no key-value part");
        }
        String[] gs2 = text.substring(0, headerEnd).split(",", -1);
        if (gs2.length != 3 || !gs2[2].isEmpty()) {
            throw new SaslException("OAUTHBEARER GS2 header is malformed");
        }
        if (gs2[0].startsWith("p=")) {
            throw new SaslException("OAUTHBEARER channel binding is not supported");
        }
        if (!gs2[0].equals("n") && !gs2[0].equals("y")) {
            throw new SaslException("OAUTHBEARER GS2 header must start with n or y");
        }
        String user = "";
        if (!gs2[1].isEmpty()) {
            if (!gs2[1].startsWith("a=")) {
                throw new SaslException("OAUTHBEARER authorization identity must be a=...");
            }
            user = saslName(gs2[1].substring(2));
        }
        return new BearerCredentials(user, bearer(text.substring(headerEnd + 1), "OAUTHBEARER"));
    }

    /** {@code user=USER^Aauth=Bearer TOKEN^A^A}. */
    static BearerCredentials xoauth2(byte[] message) throws SaslException {
        String text = utf8(message);
        if (!text.startsWith("user=")) {
            throw new SaslException("XOAUTH2 message must start with user=");
        }
        int end = text.indexOf(SEPARATOR);
        if (end < 0) {
            throw new SaslException("XOAUTH2 message is not terminated");
        }
        String user = text.substring("user=".length(), end);
        return new BearerCredentials(user, bearer(text.substring(end + 1), "XOAUTH2"));
    }

    /** The {@code auth} value of {@code key=value^A...^A}, which must end with an empty pair. */
    private static String bearer(String pairs, String mechanism) throws SaslException {
        if (!pairs.endsWith(String.valueOf(SEPARATOR) + SEPARATOR) && !pairs.equals(String.valueOf(SEPARATOR))) {
            throw new SaslException(mechanism + " message must end with two ^A");
        }
        String auth = null;
        for (String pair : pairs.substring(0, pairs.length() - 2).split(String.valueOf(SEPARATOR), -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new SaslException(mechanism + " key-value pair is malformed");
            }
            if (pair.substring(0, eq).equals("auth")) {
                auth = pair.substring(eq + 1);
            }
        }
        if (auth == null) {
            throw new SaslException(mechanism + " message has no auth=");
        }
        if (auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new SaslException(mechanism + " auth= must be 'Bearer <token>'");
        }
        String token = auth.substring(7).strip();
        if (!B64TOKEN.matcher(token).matches()) {
            throw new SaslException(mechanism + " bearer token is empty or has characters a token cannot have");
        }
        return token;
    }

    /** RFC 5801 saslname: {@code =2C} for ',' and {@code =3D} for '='; nothing else may follow '='. */
    private static String saslName(String value) throws SaslException {
        StringBuilder name = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '=') {
                name.append(c);
            } else if (value.startsWith("=2C", i)) {
                name.append(',');
                i += 2;
            } else if (value.startsWith("=3D", i)) {
                name.append('=');
                i += 2;
            } else {
                throw new SaslException("OAUTHBEARER authorization identity has a bad '=' escape");
            }
        }
        return name.toString();
    }

    private static String utf8(byte[] message) throws SaslException {
        try {
            return UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SaslException("SASL message is not UTF-8");
        }
    }
}
