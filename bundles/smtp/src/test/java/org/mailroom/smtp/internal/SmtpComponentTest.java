package org.mailroom.smtp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Map;
import org.junit.Test;
import org.mailroom.testing.Configs;

/** The house rule for bad configuration, on the protocol components of etc/org.mailroom.smtp.cfg. */
public class SmtpComponentTest {

    private static final Map<String, Object> FILE =
            Map.of("felix.fileinstall.filename", "file:/etc/org.mailroom.smtp.cfg");

    @Test
    public void aBadValueAtActivationStartsNothingAndNamesTheKey() {
        for (Object[] bad : new Object[][] {
            {"maxMessageSize", 0L}, {"bareLineEnds", "sometimes"}, {"maxDataLineLength", 500}, {"hostname", "a b"}
        }) {
            try {
                new SmtpComponent().activate(Configs.of(SmtpConfig.class, bad[0].toString(), bad[1]), FILE);
                fail("accepted " + bad[0] + " = " + bad[1]);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("key " + bad[0]));
            }
        }
        try {
            new SmtpComponent().activate(Configs.of(SmtpConfig.class), Map.of("vrfy", "yes"));
            fail("accepted vrfy = yes");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("key vrfy"));
        }
    }

    @Test
    public void aBadEditKeepsThePreviousSettings() {
        LmtpComponent component = new LmtpComponent();
        component.activate(Configs.of(SmtpConfig.class, "hostname", "mx.example.com", "maxRecipients", 7), FILE);
        component.modified(Configs.of(SmtpConfig.class, "maxRecipients", -1), FILE);
        assertEquals(7, component.settings().maxRecipients());
        component.modified(Configs.of(SmtpConfig.class, "hostname", "mx.example.com", "maxRecipients", 9), FILE);
        assertEquals(9, component.settings().maxRecipients());
    }
}
