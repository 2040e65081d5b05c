package org.mailroom.smtp.internal;

import static org.junit.Assert.assertEquals;
import static org.mailroom.smtp.internal.Syntax.error;

import java.util.List;
import org.junit.Test;

public class EsmtpParameterTest {

    @Test
    public void keywordsComeInUpperCaseWithTheirValuesAsWritten() throws SmtpSyntaxException {
        assertEquals(
                List.of(
                        new EsmtpParameter("SIZE", "10"),
                        new EsmtpParameter("BODY", "8bitmime"),
                        new EsmtpParameter("SMTPUTF8", null),
                        new EsmtpParameter("X-1", "a\u00e9")),
                EsmtpParameter.split(" size=10  body=8bitmime\tSMTPUTF8 x-1=a\u00e9", "MAIL FROM"));
        assertEquals(List.of(), EsmtpParameter.split("", "MAIL FROM"));
        assertEquals(List.of(), EsmtpParameter.split("   ", "MAIL FROM"));
    }

    @Test
    public void malformedParameters() {
        for (String p :
                new String[] {"=", "=x", "-A", "A_B", "A=", "A==", "A=b=c", "A=\u0085", "\u00c4=1", "A=b\u0001"}) {
            assertEquals(p, "501 5.5.4 Bad RCPT TO parameter syntax", error(() -> EsmtpParameter.split(p, "RCPT TO")));
        }
    }

    @Test
    public void aKeywordTwiceInAnyCaseIsAnError() {
        assertEquals(
                "501 5.5.4 Duplicate MAIL FROM parameter X-A",
                error(() -> EsmtpParameter.split("X-A x-a=1", "MAIL FROM")));
    }

    @Test
    public void requiredValues() throws SmtpSyntaxException {
        assertEquals("1", new EsmtpParameter("SIZE", "1").required());
        assertEquals(
                "501 5.5.4 Bad SIZE parameter: a value is required",
                error(() -> new EsmtpParameter("SIZE", null).required()));
    }
}
