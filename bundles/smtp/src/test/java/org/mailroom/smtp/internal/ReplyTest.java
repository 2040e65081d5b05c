package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class ReplyTest {

    @Test
    public void oneLineCarriesTheEnhancedStatusCode() {
        assertEquals(List.of("250 2.1.0 Ok"), Reply.of(250, "2.1.0", "Ok").lines());
        assertEquals(
                List.of("550 5.1.1 No such user"),
                Reply.of(550, "5.1.1", "No such user").lines());
        assertEquals(
                List.of("451 4.3.0 Try again later"),
                Reply.of(451, "4.3.0", "Try again later").lines());
    }

    @Test
    public void everyLineOfAMultiLineReplyCarriesTheCodeAndStatus() {
        Reply reply = Reply.of(250, "2.0.0", List.of("first", "second", "last"));
        assertEquals(List.of("250-2.0.0 first", "250-2.0.0 second", "250 2.0.0 last"), reply.lines());
        assertEquals("250-2.0.0 first\r\n250-2.0.0 second\r\n250 2.0.0 last", reply.toString());
    }

    @Test
    public void ehloListsTheKeywordsWithoutEnhancedStatusCodes() {
        Reply reply = Reply.ehlo(
                "mail.example.org Hello client.example",
                List.of("PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8"));
        assertEquals(
                List.of(
                        "250-mail.example.org Hello client.example",
                        "250-PIPELINING",
                        "250-SIZE 10240000",
                        "250-8BITMIME",
                        "250 SMTPUTF8"),
                reply.lines());
        assertEquals(
                List.of("250 mail.example.org"),
                Reply.ehlo("mail.example.org", List.of()).lines());
    }

    @Test
    public void greetingAndIntermediateRepliesHaveNoEnhancedStatusCode() {
        assertEquals(
                List.of("220 mail.example.org ESMTP Mailroom"),
                Reply.plain(220, "mail.example.org ESMTP Mailroom").lines());
        assertEquals(
                List.of("354 End data with <CR><LF>.<CR><LF>"),
                Reply.plain(354, "End data with <CR><LF>.<CR><LF>").lines());
        assertEquals(List.of("334 "), Reply.plain(334, "").lines());
    }

    @Test
    public void emptyTextLeavesNoTrailingSpaceAfterTheStatus() {
        assertEquals(List.of("250 2.0.0"), Reply.of(250, "2.0.0", "").lines());
        assertEquals(
                List.of("250-2.0.0", "250 2.0.0 b"),
                Reply.of(250, "2.0.0", List.of("", "b")).lines());
    }

    @Test
    public void theStatusClassMustMatchTheReplyCode() {
        assertThrows(IllegalArgumentException.class, () -> Reply.of(250, "5.0.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> Reply.of(550, "4.0.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> Reply.of(354, "3.0.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> Reply.of(250, "2.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> Reply.of(250, "2.1000.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> Reply.of(250, "2.0.0.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> Reply.plain(199, "x"));
        assertThrows(IllegalArgumentException.class, () -> Reply.plain(600, "x"));
        assertThrows(IllegalArgumentException.class, () -> Reply.of(250, "2.0.0", List.of()));
        assertEquals(List.of("553 5.1.10 x"), Reply.of(553, "5.1.10", "x").lines());
    }

    @Test
    public void controlCharactersCannotEndOrInjectALine() {
        Reply reply = Reply.of(250, "2.0.0", "a\r\n250 2.0.0 injected\u0000\u007f\u0085");
        assertEquals(List.of("250 2.0.0 a??250 2.0.0 injected???"), reply.lines());
        assertEquals(List.of("250 h\u00e9llo"), Reply.plain(250, "h\u00e9llo").lines());
    }

    @Test
    public void longLinesAreCutTo512OctetsWithCrlfNeverInsideACharacter() {
        String line = Reply.of(250, "2.0.0", "x".repeat(1000)).lines().get(0);
        assertEquals(Reply.MAX_LINE, line.length());
        String utf8 = Reply.plain(250, "\u00e9".repeat(600)).lines().get(0);
        int octets = utf8.getBytes(UTF_8).length;
        assertTrue(octets <= Reply.MAX_LINE && octets >= Reply.MAX_LINE - 1);
        assertTrue(utf8.endsWith("\u00e9"));
    }

    @Test
    public void quotedClientTextIsAsciiAndShort() {
        assertEquals("FOO?BAR", Reply.quote("FOO\rBAR", 40));
        assertEquals("caf?", Reply.quote("caf\u00e9", 40));
        assertEquals("abc...", Reply.quote("abcdef", 3));
        assertEquals("abc", Reply.quote("abc", 3));
    }

    @Test
    public void positiveReplies() {
        assertTrue(Reply.of(250, "2.0.0", "Ok").isPositive());
        assertFalse(Reply.of(550, "5.0.0", "No").isPositive());
        assertFalse(Reply.plain(354, "Go ahead").isPositive());
    }

    @Test
    public void aSyntaxExceptionCarriesItsReply() {
        SmtpSyntaxException e = new SmtpSyntaxException(501, "5.1.3", "Bad recipient address syntax");
        assertEquals("501 5.1.3 Bad recipient address syntax", e.getMessage());
        assertEquals(
                List.of("501 5.1.3 Bad recipient address syntax"), e.reply().lines());
        assertEquals(0, e.getStackTrace().length);
    }
}
