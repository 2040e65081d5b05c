package org.mailroom.pop3.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.protocol.ProtocolSession;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.store.MailStore;
import org.mailroom.testing.Configs;

public class Pop3ComponentTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    private final Pop3Component component = new Pop3Component();
    /** A Pop3Config with the declared defaults, except the given overrides. */
    private static Pop3Config config(Map<String, Object> overrides) {
        return Configs.of(Pop3Config.class, overrides);
    }

    private static org.mailroom.api.auth.LoginService loginWith(Authenticator authenticator) {
        TestServices services = new TestServices();
        services.authenticator = authenticator;
        return services.logins;
    }

    private static List<String> capa(RecordingConnection connection, ProtocolSession session) {
        connection.fresh();
        session.onLine("CAPA".getBytes(UTF_8));
        return connection.freshText();
    }

    @Test
    public void defaultsMatchTheConfigDefaults() {
        assertEquals(Pop3Settings.DEFAULTS, Pop3Settings.from(config(Map.of())));
    }

    @Test
    public void theStoreIsTheLastOfDeclarativeServicesOrder() {
        MailStore a = new MemoryStore();
        MailStore b = new MemoryStore();
        assertNull(component.store());
        // DS sorts a field reference's list as ServiceReference.compareTo does: best last.
        component.stores = List.of(a);
        assertSame(a, component.store());
        component.stores = List.of(a, b);
        assertSame(b, component.store());
        component.stores = List.of();
        assertNull(component.store());
    }

    @Test
    public void mechanismsAreBestFirstAndOnePerName() {
        SaslMechanism plainLow = new TestAuth.Plain();
        SaslMechanism plainHigh = new TestAuth.Plain();
        SaslMechanism login = new TestAuth.Login();
        component.mechanisms = List.of(plainLow, login, plainHigh);
        assertEquals(List.of(plainHigh, login), component.mechanisms());
        component.mechanisms = List.of(plainLow, login);
        assertEquals(List.of(login, plainLow), component.mechanisms());
    }

    @Test
    public void configurationAppliesToNewSessionsAndBadValuesKeepThePrevious() {
        component.configure(config(Map.of("loginDelaySeconds", 42)), Map.of());
        RecordingConnection c1 = new RecordingConnection(true, false, false);
        assertTrue(capa(c1, component.open(c1)).contains("LOGIN-DELAY 42"));
        component.configure(
                config(Map.of("loginDelaySeconds", 7, "maxSaslLineLength", 100)),
                Map.of("felix.fileinstall.filename", "file:/etc/org.mailroom.pop3.cfg"));
        RecordingConnection c2 = new RecordingConnection(true, false, false);
        assertTrue(capa(c2, component.open(c2)).contains("LOGIN-DELAY 42"));
        component.configure(config(Map.of("maxBadCommands", 0)), Map.of());
        RecordingConnection c3 = new RecordingConnection(true, false, false);
        assertTrue(capa(c3, component.open(c3)).contains("LOGIN-DELAY 42"));
    }

    @Test
    public void aBadValueAtFirstActivationStartsNoPop3() {
        Pop3Component fresh = new Pop3Component();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> fresh.activate(config(Map.of("maxBadCommands", 0)), Map.of()));
        assertTrue(e.getMessage(), e.getMessage().contains("maxBadCommands"));
    }

    @Test
    public void openGreetsAndSessionsShareMailboxLocks() {
        component.configure(config(Map.of("serviceWaitMillis", 0)), Map.of());
        TestAuth.PasswordTable passwords = new TestAuth.PasswordTable().with("alice", "secret");
        component.login = loginWith(passwords);
        component.stores = List.of(new MemoryStore());
        RecordingConnection c1 = new RecordingConnection(true, false, false);
        ProtocolSession s1 = component.open(c1);
        assertTrue(c1.last().startsWith("+OK"));
        login(s1, c1);
        assertTrue(c1.last(), c1.last().startsWith("+OK Logged in"));
        RecordingConnection c2 = new RecordingConnection(true, false, false);
        ProtocolSession s2 = component.open(c2);
        login(s2, c2);
        assertTrue(c2.last(), c2.last().startsWith("-ERR [IN-USE]"));
        s1.onClosed();
        login(s2, c2);
        assertTrue(c2.last(), c2.last().startsWith("+OK Logged in"));
    }

    private static void login(ProtocolSession session, RecordingConnection connection) {
        session.onLine("USER alice".getBytes(UTF_8));
        session.onLine("PASS secret".getBytes(UTF_8));
        connection.drainPauses(Duration.ofSeconds(10));
    }

    @Test
    public void deactivateClosesOpenSessionsOnly() {
        RecordingConnection open = new RecordingConnection(true, false, false);
        RecordingConnection gone = new RecordingConnection(true, false, false);
        component.open(open);
        component.open(gone).onClosed();
        component.deactivate();
        assertTrue(open.closed);
        assertTrue(open.closeReply.startsWith("-ERR [SYS/TEMP]"));
        assertFalse(gone.closed);
        assertEquals(0, gone.closeCalls);
    }

    @Test
    public void refusalIsATemporaryError() {
        String refusal = component.refusal("Too many connections");
        assertTrue(refusal, refusal.startsWith("-ERR [SYS/TEMP] Too many connections"));
    }

    @Test
    public void loginHistoryEnforcesTheGap() {
        LoginHistory history = new LoginHistory();
        assertTrue(history.tryLogin("a", 0, 0));
        assertTrue(history.tryLogin("a", 0, 0));
        assertTrue(history.tryLogin("a", 10, 1_000));
        assertFalse(history.tryLogin("a", 10, 10_999));
        assertTrue(history.tryLogin("b", 10, 10_999));
        assertTrue(history.tryLogin("a", 10, 11_000));
        assertFalse("a refused attempt does not restart the clock", history.tryLogin("a", 10, 20_999));
        assertTrue(history.tryLogin("a", 10, 21_000));
    }

    @Test
    public void mailboxLockBelongsToItsOwner() {
        MailboxLocks locks = new MailboxLocks();
        Object one = new Object();
        Object two = new Object();
        assertTrue(locks.tryLock("alice", one));
        assertFalse(locks.tryLock("alice", two));
        locks.unlock("alice", two);
        assertFalse("only the owner unlocks", locks.tryLock("alice", two));
        locks.unlock("alice", one);
        assertTrue(locks.tryLock("alice", two));
    }

    @Test
    public void settingsRejectBadValues() {
        Duration ok = Duration.ofSeconds(1);
        assertBad(() -> new Pop3Settings(false, -1, ok, 10, 65536));
        assertBad(() -> new Pop3Settings(false, 0, Duration.ofMillis(-1), 10, 65536));
        assertBad(() -> new Pop3Settings(false, 0, ok, 0, 65536));
        assertBad(() -> new Pop3Settings(false, 0, ok, 10, 16383));
        assertEquals(16384, new Pop3Settings(false, 0, ok, 1, 16384).maxSaslLineLength());
    }

    private static void assertBad(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("accepted a bad value");
    }
}
