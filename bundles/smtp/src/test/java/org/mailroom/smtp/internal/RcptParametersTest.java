package org.mailroom.smtp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.mailroom.smtp.internal.Syntax.error;

import java.util.EnumSet;
import java.util.Set;
import org.junit.Test;
import org.mailroom.smtp.internal.RcptParameters.Notify;
import org.mailroom.smtp.internal.RcptParameters.Orcpt;

public class RcptParametersTest {

    private static final String BAD_ORCPT = "501 5.5.4 Bad ORCPT parameter: addr-type;xtext of at most 500 characters";
    private static final String BAD_NOTIFY =
            "501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE and DELAY";

    private static RcptParameters parse(String parameters) throws SmtpSyntaxException {
        return RcptParameters.parse("<b@example.org> " + parameters);
    }

    private static String bad(String parameters) {
        return error(() -> parse(parameters));
    }

    @Test
    public void noParameters() throws SmtpSyntaxException {
        RcptParameters none = RcptParameters.parse("<b@example.org>");
        assertEquals(RcptParameters.NONE, none);
        assertTrue(none.isEmpty());
        assertEquals(Set.of(), none.notifyOn());
        assertNull(none.orcpt());
        assertTrue(RcptParameters.parse("<postmaster>").isEmpty());
        assertFalse(parse("NOTIFY=NEVER").isEmpty());
    }

    @Test
    public void rfc3461Examples() throws SmtpSyntaxException {
        // RFC 3461 section 6.2
        assertEquals(
                new RcptParameters(Set.of(Notify.SUCCESS), new Orcpt("rfc822", "Bob@Example.COM")),
                RcptParameters.parse("<Bob@Example.COM> NOTIFY=SUCCESS ORCPT=rfc822;Bob@Example.COM"));
        assertEquals(
                new RcptParameters(Set.of(Notify.FAILURE), new Orcpt("rfc822", "Carol@Ivory.EDU")),
                RcptParameters.parse("<Carol@Ivory.EDU> NOTIFY=FAILURE ORCPT=rfc822;Carol@Ivory.EDU"));
        assertEquals(
                new RcptParameters(EnumSet.of(Notify.SUCCESS, Notify.FAILURE), new Orcpt("rfc822", "Dana@Ivory.EDU")),
                RcptParameters.parse("<Dana@Ivory.EDU> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Dana@Ivory.EDU"));
    }

    @Test
    public void notifyValues() throws SmtpSyntaxException {
        assertEquals(Set.of(Notify.NEVER), parse("NOTIFY=NEVER").notifyOn());
        assertEquals(Set.of(Notify.NEVER), parse("notify=never").notifyOn());
        assertEquals(Set.of(Notify.DELAY), parse("NOTIFY=delay").notifyOn());
        assertEquals(
                EnumSet.of(Notify.SUCCESS, Notify.FAILURE, Notify.DELAY),
                parse("NOTIFY=DELAY,SUCCESS,FAILURE").notifyOn());
        assertEquals(Set.of(Notify.SUCCESS), parse("NOTIFY=SUCCESS,success").notifyOn());
        assertThrows(
                UnsupportedOperationException.class,
                () -> parse("NOTIFY=DELAY").notifyOn().add(Notify.NEVER));
    }

    @Test
    public void badNotify() {
        assertEquals("501 5.5.4 Bad NOTIFY parameter: NEVER only alone", bad("NOTIFY=NEVER,SUCCESS"));
        assertEquals("501 5.5.4 Bad NOTIFY parameter: NEVER only alone", bad("NOTIFY=FAILURE,NEVER"));
        assertEquals(BAD_NOTIFY, bad("NOTIFY=SUCCESS,"));
        assertEquals(BAD_NOTIFY, bad("NOTIFY=,SUCCESS"));
        assertEquals(BAD_NOTIFY, bad("NOTIFY=SUCCESS,,FAILURE"));
        assertEquals(BAD_NOTIFY, bad("NOTIFY=ALWAYS"));
        assertEquals(BAD_NOTIFY, bad("NOTIFY=SUCCESS;FAILURE"));
        assertEquals("501 5.5.4 Bad NOTIFY parameter: a value is required", bad("NOTIFY"));
        assertEquals("501 5.5.4 Bad RCPT TO parameter syntax", bad("NOTIFY="));
    }

    @Test
    public void orcptIsXtextDecoded() throws SmtpSyntaxException {
        assertEquals(
                new Orcpt("rfc822", "a+b@example.org"),
                parse("ORCPT=rfc822;a+2Bb@example.org").orcpt());
        assertEquals(
                new Orcpt("RFC822", "\"a b\"@example.org"),
                parse("ORCPT=RFC822;\"a+20b\"@example.org").orcpt());
        assertEquals(new Orcpt("x400", "a=b"), parse("ORCPT=x400;a+3Db").orcpt());
        assertFalse(parse("ORCPT=rfc822;a@example.org").orcpt().isUtf8());
        String max = "rfc822;" + "x".repeat(RcptParameters.MAX_ORCPT - 7);
        assertEquals("x".repeat(493), parse("ORCPT=" + max).orcpt().address());
    }

    @Test
    public void badOrcpt() {
        assertEquals(BAD_ORCPT, bad("ORCPT=rfc822;" + "x".repeat(494)));
        assertEquals(BAD_ORCPT, bad("ORCPT=a@example.org"));
        assertEquals(BAD_ORCPT, bad("ORCPT=;a@example.org"));
        assertEquals(BAD_ORCPT, bad("ORCPT=rfc822;"));
        assertEquals(BAD_ORCPT, bad("ORCPT=rfc(822);a@example.org"));
        assertEquals(BAD_ORCPT, bad("ORCPT=rfc822;a+2@example.org"));
        assertEquals(BAD_ORCPT, bad("ORCPT=rfc822;a+0Db@example.org"));
        assertEquals(BAD_ORCPT, bad("ORCPT=rfc822;a+C3+A9@example.org"));
        assertEquals(BAD_ORCPT, bad("ORCPT=rfc822;j\u00f6rg@example.org"));
        assertEquals("501 5.5.4 Bad RCPT TO parameter syntax", bad("ORCPT=rfc822;a=b"));
        assertEquals("501 5.5.4 Bad ORCPT parameter: a value is required", bad("ORCPT"));
    }

    @Test
    public void orcptOfTypeUtf8UsesRfc6533Encoding() throws SmtpSyntaxException {
        Orcpt xtext = parse("ORCPT=utf-8;j\\x{F6}rg@example.org").orcpt();
        assertEquals(new Orcpt("utf-8", "j\u00f6rg@example.org"), xtext);
        assertTrue(xtext.isUtf8());
        assertEquals(
                "\u7528@example.org",
                parse("ORCPT=UTF-8;\\x{7528}@example.org").orcpt().address());
        assertEquals(
                "\ud83d\ude00@example.org",
                parse("ORCPT=utf-8;\\x{1F600}@example.org").orcpt().address());
        assertEquals(
                "j\u00f6rg@example.org",
                parse("ORCPT=utf-8;j\u00f6rg@example.org").orcpt().address());
        assertEquals(
                "a+b@example.org",
                parse("ORCPT=utf-8;a\\x{2B}b@example.org").orcpt().address());
    }

    @Test
    public void badUtf8Orcpt() {
        for (String value : new String[] {
            "\\x{}@example.org",
            "\\x{1234567}@example.org",
            "\\x{110000}@example.org",
            "\\x{D800}@example.org",
            "\\x{G}@example.org",
            "\\x{41@example.org",
            "\\y@example.org",
            "\\@example.org",
            "a+2Bb@example.org",
            "a\\x{DFFF}b@example.org"
        }) {
            assertEquals(value, BAD_ORCPT, bad("ORCPT=utf-8;" + value));
        }
        // a C1 control is no esmtp-value at all
        assertEquals("501 5.5.4 Bad RCPT TO parameter syntax", bad("ORCPT=utf-8;a\u0085b@example.org"));
    }

    @Test
    public void unknownKeywordsAreUnsupported() {
        assertEquals("555 5.5.4 Unsupported RCPT TO parameter SIZE", bad("SIZE=1"));
        assertEquals("555 5.5.4 Unsupported RCPT TO parameter X-FOO", bad("NOTIFY=NEVER X-FOO"));
    }

    @Test
    public void duplicatesAreErrors() {
        assertEquals("501 5.5.4 Duplicate RCPT TO parameter NOTIFY", bad("NOTIFY=NEVER NOTIFY=NEVER"));
        assertEquals("501 5.5.4 Duplicate RCPT TO parameter ORCPT", bad("ORCPT=rfc822;a@b orcpt=rfc822;a@b"));
    }

    @Test
    public void pathErrorsComeFirst() {
        assertEquals("501 5.1.3 Bad recipient address syntax", error(() -> RcptParameters.parse("<> NOTIFY=NEVER")));
        assertEquals("501 5.5.4 Syntax: RCPT TO:<address>", error(() -> RcptParameters.parse("")));
    }
}
