package org.mailroom.smtp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.mailroom.smtp.internal.Syntax.error;

import org.junit.Test;
import org.mailroom.smtp.internal.MailParameters.Body;
import org.mailroom.smtp.internal.MailParameters.Ret;

public class MailParametersTest {

    private static MailParameters parse(String parameters) throws SmtpSyntaxException {
        return MailParameters.parse("<a@example.org> " + parameters);
    }

    private static String bad(String parameters) {
        return error(() -> parse(parameters));
    }

    @Test
    public void noParameters() throws SmtpSyntaxException {
        MailParameters none = MailParameters.parse("<a@example.org>");
        assertEquals(MailParameters.NONE, none);
        assertTrue(none.isEmpty());
        assertEquals(-1, none.size());
        assertNull(none.body());
        assertFalse(none.smtputf8());
        assertNull(none.ret());
        assertNull(none.envid());
        assertNull(none.auth());
        assertTrue(MailParameters.parse("<>").isEmpty());
        assertTrue(MailParameters.parse("a@example.org").isEmpty());
        assertFalse(parse("SIZE=0").isEmpty());
    }

    @Test
    public void everyParameterAtOnce() throws SmtpSyntaxException {
        MailParameters p = MailParameters.parse(
                "<> SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159 AUTH=e+3Dmc2@example.com");
        assertEquals(
                new MailParameters(12345, Body.EIGHT_BIT_MIME, true, Ret.HDRS, "QQ314159", "e=mc2@example.com"), p);
    }

    @Test
    public void keywordsAndKeywordValuesAreCaseInsensitive() throws SmtpSyntaxException {
        MailParameters p = parse("size=10 body=binarymime smtputf8 ret=full");
        assertEquals(new MailParameters(10, Body.BINARY_MIME, true, Ret.FULL, null, null), p);
        assertEquals(Body.EIGHT_BIT_MIME, parse("Body=8BitMime").body());
    }

    @Test
    public void moreThanOneSpaceBetweenParametersIsAccepted() throws SmtpSyntaxException {
        assertEquals(new MailParameters(1, Body.SEVEN_BIT, false, null, null, null), parse("SIZE=1   BODY=7BIT"));
        assertEquals(1, MailParameters.parse("<a@example.org>\tSIZE=1").size());
    }

    @Test
    public void size() throws SmtpSyntaxException {
        assertEquals(0, parse("SIZE=0").size());
        assertEquals(10485760, parse("SIZE=10485760").size());
        assertEquals(7, parse("SIZE=0007").size());
        assertEquals(Long.MAX_VALUE, parse("SIZE=9223372036854775807").size());
        assertEquals(9223372036854775806L, parse("SIZE=9223372036854775806").size());
    }

    @Test
    public void aSizeBeyondLongIsTheLargestLongSoThatItIsTooBig() throws SmtpSyntaxException {
        assertEquals(Long.MAX_VALUE, parse("SIZE=9223372036854775808").size());
        assertEquals(Long.MAX_VALUE, parse("SIZE=99999999999999999999").size());
        assertEquals(Long.MAX_VALUE, parse("SIZE=10000000000000000000").size());
    }

    @Test
    public void badSizes() {
        assertEquals("501 5.5.4 Bad SIZE parameter: at most 20 digits", bad("SIZE=123456789012345678901"));
        assertEquals("501 5.5.4 Bad SIZE parameter: a number of octets", bad("SIZE=abc"));
        assertEquals("501 5.5.4 Bad SIZE parameter: a number of octets", bad("SIZE=-1"));
        assertEquals("501 5.5.4 Bad SIZE parameter: a number of octets", bad("SIZE=+1"));
        assertEquals("501 5.5.4 Bad SIZE parameter: a number of octets", bad("SIZE=1k"));
        assertEquals("501 5.5.4 Bad SIZE parameter: a number of octets", bad("SIZE=\u0661"));
        assertEquals("501 5.5.4 Bad SIZE parameter: a value is required", bad("SIZE"));
        assertEquals("501 5.5.4 Bad MAIL FROM parameter syntax", bad("SIZE="));
    }

    @Test
    public void body() throws SmtpSyntaxException {
        assertEquals(Body.SEVEN_BIT, parse("BODY=7BIT").body());
        assertEquals(Body.EIGHT_BIT_MIME, parse("BODY=8BITMIME").body());
        assertEquals(Body.BINARY_MIME, parse("BODY=BINARYMIME").body());
        assertEquals("8BITMIME", Body.EIGHT_BIT_MIME.keyword());
        String expected = "501 5.5.4 Bad BODY parameter: 7BIT, 8BITMIME or BINARYMIME";
        assertEquals(expected, bad("BODY=8BIT"));
        assertEquals(expected, bad("BODY=BINARY"));
        assertEquals("501 5.5.4 Bad BODY parameter: a value is required", bad("BODY"));
    }

    @Test
    public void smtputf8TakesNoValue() throws SmtpSyntaxException {
        assertTrue(parse("SMTPUTF8").smtputf8());
        assertTrue(parse("smtputf8").smtputf8());
        assertEquals("501 5.5.4 Bad SMTPUTF8 parameter: it takes no value", bad("SMTPUTF8=YES"));
    }

    @Test
    public void theSmtputf8ParameterDecidesWhetherTheUtf8PathIsAccepted() throws SmtpSyntaxException {
        String with = "<j\u00f6rg@example.org> SMTPUTF8";
        assertTrue(MailParameters.parse(with).smtputf8());
        assertEquals(
                "j\u00f6rg@example.org",
                Path.parseReverse(with, MailParameters.parse(with).smtputf8()).address());
        String without = "<j\u00f6rg@example.org> BODY=8BITMIME";
        assertEquals(
                "553 5.6.7 Must declare SMTPUTF8 to send UTF-8 addresses",
                error(() ->
                        Path.parseReverse(without, MailParameters.parse(without).smtputf8())));
    }

    @Test
    public void ret() throws SmtpSyntaxException {
        assertEquals(Ret.FULL, parse("RET=FULL").ret());
        assertEquals(Ret.HDRS, parse("RET=hdrs").ret());
        assertEquals("501 5.5.4 Bad RET parameter: FULL or HDRS", bad("RET=HEADERS"));
        assertEquals("501 5.5.4 Bad RET parameter: a value is required", bad("RET"));
    }

    @Test
    public void envidIsXtextDecoded() throws SmtpSyntaxException {
        // RFC 3461 section 6.1
        assertEquals("QQ314159", parse("ENVID=QQ314159").envid());
        assertEquals("a+b c=d", parse("ENVID=a+2Bb+20c+3Dd").envid());
        assertEquals("a+b", parse("ENVID=a+2bb").envid());
        assertEquals("<x@y>", parse("ENVID=<x@y>").envid());
        assertEquals("x".repeat(100), parse("ENVID=" + "x".repeat(100)).envid());
        assertEquals("x".repeat(100), parse("ENVID=" + "+78".repeat(100)).envid());
    }

    @Test
    public void badEnvids() {
        String expected = "501 5.5.4 Bad ENVID parameter: xtext of at most 100 printable ASCII characters";
        assertEquals(expected, bad("ENVID=" + "x".repeat(101)));
        assertEquals(expected, bad("ENVID=a+"));
        assertEquals(expected, bad("ENVID=a+4"));
        assertEquals(expected, bad("ENVID=a+GG"));
        assertEquals(expected, bad("ENVID=a+4G"));
        assertEquals(expected, bad("ENVID=a+0A"));
        assertEquals(expected, bad("ENVID=a+00"));
        assertEquals(expected, bad("ENVID=a+C3+A9"));
        assertEquals(expected, bad("ENVID=a+FF"));
        assertEquals(expected, bad("ENVID=++41"));
        assertEquals("501 5.5.4 Bad MAIL FROM parameter syntax", bad("ENVID=a=b"));
        assertEquals("501 5.5.4 Bad ENVID parameter: a value is required", bad("ENVID"));
    }

    @Test
    public void auth() throws SmtpSyntaxException {
        // RFC 4954 section 7
        assertEquals("e=mc2@example.com", parse("AUTH=e+3Dmc2@example.com").auth());
        assertEquals("<>", parse("AUTH=<>").auth());
        assertEquals(
                "j\u00f6rg@example.org", parse("AUTH=j+C3+B6rg@example.org").auth());
        assertEquals("501 5.5.4 Bad AUTH parameter: xtext or <>", bad("AUTH=a+0Db"));
        assertEquals("501 5.5.4 Bad AUTH parameter: xtext or <>", bad("AUTH=a+C3"));
        assertEquals("501 5.5.4 Bad AUTH parameter: xtext or <>", bad("AUTH=a+"));
        assertEquals("501 5.5.4 Bad AUTH parameter: a value is required", bad("AUTH"));
    }

    @Test
    public void unknownKeywordsAreUnsupported() {
        assertEquals("555 5.5.4 Unsupported MAIL FROM parameter FOO", bad("FOO=bar"));
        assertEquals("555 5.5.4 Unsupported MAIL FROM parameter XVERP", bad("xverp"));
        assertEquals("555 5.5.4 Unsupported MAIL FROM parameter NOTIFY", bad("NOTIFY=NEVER"));
        assertEquals("555 5.5.4 Unsupported MAIL FROM parameter MT-PRIORITY", bad("SIZE=1 MT-PRIORITY=3"));
        assertEquals("555 5.5.4 Unsupported MAIL FROM parameter " + "X".repeat(40) + "...", bad("X".repeat(300)));
    }

    @Test
    public void duplicatesAreErrors() {
        assertEquals("501 5.5.4 Duplicate MAIL FROM parameter SIZE", bad("SIZE=1 SIZE=2"));
        assertEquals("501 5.5.4 Duplicate MAIL FROM parameter SIZE", bad("SIZE=1 size=1"));
        assertEquals("501 5.5.4 Duplicate MAIL FROM parameter SMTPUTF8", bad("SMTPUTF8 BODY=8BITMIME SMTPUTF8"));
        assertEquals("501 5.5.4 Duplicate MAIL FROM parameter BODY", bad("BODY=7BIT BODY=8BITMIME"));
        assertEquals("501 5.5.4 Duplicate MAIL FROM parameter ENVID", bad("ENVID=a ENVID=a"));
    }

    @Test
    public void malformedParameters() {
        String expected = "501 5.5.4 Bad MAIL FROM parameter syntax";
        for (String p :
                new String[] {"=1", "-SIZE=1", "SI_ZE=1", "SIZE==1", "SIZE=1=2", "SIZE=\u0001", "S\u00dcZE=1"}) {
            assertEquals(p, expected, bad(p));
        }
    }

    @Test
    public void pathErrorsComeFirst() {
        assertEquals("501 5.1.7 Bad sender address syntax", error(() -> MailParameters.parse("<a@@b> SIZE=1")));
        assertEquals("501 5.1.7 Bad sender address syntax", error(() -> MailParameters.parse("<a@b>SIZE=1")));
        assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", error(() -> MailParameters.parse("")));
    }
}
