package ${package};

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.Test;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.testing.Pop3Client;
import org.mailroom.testing.exam.MailroomTestSupport;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;

/**
 * Boots the Mailroom distribution with this bundle and a secret in etc/, then logs in over POP3
 * (after STLS, as a client would) with X-TOKEN. The test methods run inside the container.
 */
public class TokenAuthenticatorIT extends MailroomTestSupport {

    private static final String SECRET = "a-secret-for-this-test-only";

    @Override
    protected Option[] additionalOptions() {
        return new Option[] {
            editConfigurationFilePut("etc/${package}.cfg", "secret", SECRET),
            CoreOptions.bundle(new File(System.getProperty("bundle.file")).toURI().toString()).start()
        };
    }

    @Test(timeout = 60_000)
    public void xTokenIsOfferedOnceTheConnectionIsSecure() throws Exception {
        try (Pop3Client pop3 = secureSession()) {
            assertTrue(pop3.multiLine("CAPA").lines().stream()
                    .anyMatch(line -> line.startsWith("SASL ") && line.contains(" X-TOKEN")));
        }
    }

    @Test(timeout = 60_000)
    public void aUserWithAValidTokenLogsInAndSeesTheMailbox() throws Exception {
        try (Pop3Client pop3 = secureSession()) {
            Pop3Client.Response auth = pop3.command("AUTH X-TOKEN " + response(DEMO_USER, token(DEMO_USER)));
            assertTrue(auth.toString(), auth.ok());
            assertTrue(pop3.command("STAT").ok());
            assertTrue(pop3.command("QUIT").ok());
        }
    }

    @Test(timeout = 60_000)
    public void aTokenForAnotherUserIsRefused() throws Exception {
        try (Pop3Client pop3 = secureSession()) {
            Pop3Client.Response auth = pop3.command("AUTH X-TOKEN " + response(DEMO_USER, token("someone-else")));
            assertEquals("-ERR", auth.status().split(" ")[0]);
        }
    }

    private Pop3Client secureSession() throws Exception {
        getOsgiService(SaslMechanism.class, "(component.name=${package}.TokenAuthenticator)", TIMEOUT);
        Pop3Client pop3 = Pop3Client.connect(LOCALHOST, pop3Port(), TIMEOUT);
        pop3.readGreeting();
        assertTrue(pop3.stls().ok());
        return pop3;
    }

    private static String response(String user, String token) {
        return Base64.getEncoder().encodeToString((user + "\0" + token).getBytes(UTF_8));
    }

    /** What the portal would issue, computed here independently of the module. */
    private static String token(String user) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(user.getBytes(UTF_8)));
    }
}
