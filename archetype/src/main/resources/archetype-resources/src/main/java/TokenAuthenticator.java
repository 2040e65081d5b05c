package ${package};

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.sasl.SaslStep;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.LoggerFactory;

/**
 * SASL X-TOKEN: the client sends "user NUL token", the token being HMAC-SHA256(secret, user) in
 * lower-case hex, as your portal would issue it. The mechanism decodes, the authenticator checks.
 * Immediate, so that a missing or short secret is logged when the bundle starts; until a good one
 * is configured, X-TOKEN logins fail with a temporary error, and a bad edit keeps the last good one.
 */
@Component(service = {SaslMechanism.class, Authenticator.class}, configurationPid = "${package}", immediate = true,
        property = Authenticator.CREDENTIAL_TYPES + "=" + TokenAuthenticator.TYPE)
@Designate(ocd = TokenAuthenticator.Config.class)
public class TokenAuthenticator implements SaslMechanism, Authenticator {

    static final String TYPE = "x-token";

    @ObjectClassDefinition(name = "X-TOKEN authentication", description = "etc/${package}.cfg")
    public @interface Config {
        /** The key tokens are signed with: at least 16 characters. */
        String secret() default "";
    }

    record Token(String user, String token) implements Credentials {
        public String type() { return TYPE; }
        public String toString() { return "Token[user=" + user + "]"; }
    }

    private volatile SecretKeySpec key;

    @Activate
    @Modified
    void configure(Config config) {
        if (config.secret().length() < 16) {
            LoggerFactory.getLogger(getClass()).error("etc/${package}.cfg: secret must have at least 16 characters");
        } else {
            key = new SecretKeySpec(config.secret().getBytes(UTF_8), "HmacSHA256");
        }
    }

    public String name() { return "X-TOKEN"; }

    public boolean exposesSecret() { return true; }

    public SaslExchange start() {
        return response -> {
            String[] parts = new String(response, UTF_8).split("\0", -1);
            if (parts.length != 2 || parts[0].isEmpty()) {
                throw new SaslException("X-TOKEN expects user NUL token");
            }
            return SaslStep.done(new Token(parts[0], parts[1]));
        };
    }

    public AuthResult authenticate(Credentials credentials) {
        boolean valid = credentials instanceof Token t
                && MessageDigest.isEqual(hmac(t.user()).getBytes(UTF_8), t.token().getBytes(UTF_8));
        return valid ? AuthResult.success(credentials.user()) : AuthResult.invalid(credentials.user(), "wrong token");
    }

    private String hmac(String user) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(user.getBytes(UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no valid secret in etc/${package}.cfg", e);
        }
    }
}
