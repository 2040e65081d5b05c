package org.mailroom.auth.password.internal.sasl;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import org.junit.Test;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslStep;

public class SaslMechanismTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    public void plainWithInitialResponse() throws SaslException {
        SaslStep s = new PlainMechanism().start().evaluate(b("\0tim\0tanstaaftanstaaf"));
        assertTrue(s.isDone());
        assertEquals(new PasswordCredentials("tim", "tanstaaftanstaaf"), s.credentials());
        SaslStep same = new PlainMechanism().start().evaluate(b("Kurt\0Kurt\0pässwörd"));
        assertEquals(new PasswordCredentials("Kurt", "pässwörd"), same.credentials());
    }

    @Test
    public void plainWithoutInitialResponseSendsEmptyChallenge() throws SaslException {
        SaslExchange x = new PlainMechanism().start();
        SaslStep c = x.evaluate(new byte[0]);
        assertFalse(c.isDone());
        assertArrayEquals(new byte[0], c.challenge());
        assertEquals("u", x.evaluate(b("\0u\0p")).credentials().user());
        expectFailure(x, b("\0u\0p"));
    }

    @Test
    public void plainRejectsMalformedResponses() throws SaslException {
        for (byte[] bad : new byte[][] {
            b("other\0tim\0pw"), b("tim\0pw"), b("\0\0pw"), b("\0tim\0"), b("\0tim\0pw\0x"), {0, 't', 0, (byte) 0xC3}
        }) {
            expectFailure(new PlainMechanism().start(), bad);
        }
        SaslExchange x = new PlainMechanism().start();
        x.evaluate(new byte[0]);
        expectFailure(x, new byte[0]);
        assertTrue(new PlainMechanism().exposesSecret());
        assertEquals("PLAIN", new PlainMechanism().name());
    }

    @Test
    public void loginAsksForUserThenPassword() throws SaslException {
        SaslExchange x = new LoginMechanism().start();
        assertArrayEquals(b("Username:"), x.evaluate(new byte[0]).challenge());
        assertArrayEquals(b("Password:"), x.evaluate(b("tim")).challenge());
        SaslStep done = x.evaluate(b("secret pw"));
        assertEquals(new PasswordCredentials("tim", "secret pw"), done.credentials());
        expectFailure(x, b("more"));
        assertTrue(new LoginMechanism().exposesSecret());
    }

    @Test
    public void loginTakesANonEmptyInitialResponseAsTheUser() throws SaslException {
        SaslExchange x = new LoginMechanism().start();
        assertArrayEquals(b("Password:"), x.evaluate(b("tim")).challenge());
        assertEquals("tim", x.evaluate(b("pw")).credentials().user());
        SaslExchange empty = new LoginMechanism().start();
        empty.evaluate(new byte[0]);
        expectFailure(empty, new byte[0]);
        SaslExchange noPw = new LoginMechanism().start();
        noPw.evaluate(b("tim"));
        expectFailure(noPw, new byte[0]);
    }

    private static void expectFailure(SaslExchange x, byte[] response) {
        try {
            x.evaluate(response);
            fail("accepted " + new String(response, StandardCharsets.UTF_8));
        } catch (SaslException expected) {
            assertFalse(expected.getMessage().isEmpty());
        }
    }
}
