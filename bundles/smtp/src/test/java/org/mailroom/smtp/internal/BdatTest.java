package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.Assert.assertEquals;
import static org.mailroom.smtp.internal.Syntax.error;

import org.junit.Test;

public class BdatTest {

    private static final String SYNTAX = "501 5.5.4 Syntax: BDAT chunk-size [LAST]";

    @Test
    public void sizeAlone() throws SmtpSyntaxException {
        assertEquals(new Bdat(86, false), Bdat.parse("86"));
        assertEquals(new Bdat(0, false), Bdat.parse("0"));
        assertEquals(new Bdat(7, false), Bdat.parse("007"));
    }

    @Test
    public void sizeAndLast() throws SmtpSyntaxException {
        // RFC 3030 section 4.2
        assertEquals(new Bdat(86, true), Bdat.parse("86 LAST"));
        assertEquals(new Bdat(0, true), Bdat.parse("0 LAST"));
        assertEquals(new Bdat(1000, true), Bdat.parse("1000 last"));
        assertEquals(new Bdat(1000, true), Bdat.parse("1000 Last"));
        assertEquals(new Bdat(1000, true), Bdat.parse("1000   LAST"));
        assertEquals(new Bdat(1000, true), Bdat.parse("1000\tLAST"));
    }

    @Test
    public void sizesUpToTheLargestLong() throws SmtpSyntaxException {
        assertEquals(new Bdat(Long.MAX_VALUE, true), Bdat.parse("9223372036854775807 LAST"));
        assertEquals("501 5.5.4 BDAT chunk size too large", error(() -> Bdat.parse("9223372036854775808")));
        assertEquals("501 5.5.4 BDAT chunk size too large", error(() -> Bdat.parse("99999999999999999999999 LAST")));
    }

    @Test
    public void malformed() {
        for (String argument : new String[] {
            "", "LAST", "-1", "+1", "1,000", "1.5", "0x10", "1 FIRST", "1 LAST LAST", "1 LASTX", "1LAST", "\u0661\u0662"
        }) {
            assertEquals(argument, SYNTAX, error(() -> Bdat.parse(argument)));
        }
    }

    @Test
    public void throughCommand() throws SmtpSyntaxException {
        Command command = Command.parse("bdat 512 last ".getBytes(US_ASCII), false);
        assertEquals("BDAT", command.verb());
        assertEquals(new Bdat(512, true), Bdat.parse(command.argument()));
    }
}
