package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.mailroom.smtp.internal.Syntax.error;

import java.util.Locale;
import org.junit.Test;

public class CommandTest {

    private static Command ascii(String line) throws SmtpSyntaxException {
        return Command.parse(line.getBytes(ISO_8859_1), false);
    }

    private static Command utf8(String line) throws SmtpSyntaxException {
        return Command.parse(line.getBytes(UTF_8), true);
    }

    @Test
    public void verbAndArgument() throws SmtpSyntaxException {
        assertEquals(new Command("EHLO", "client.example"), ascii("EHLO client.example"));
        assertEquals(new Command("HELO", "[192.0.2.1]"), ascii("HELO [192.0.2.1]"));
        assertEquals(new Command("LHLO", "client.example"), ascii("LHLO client.example"));
        assertEquals(new Command("DATA", ""), ascii("DATA"));
        assertEquals(new Command("AUTH", "PLAIN AGFsaWNlAHNlY3JldA=="), ascii("AUTH PLAIN AGFsaWNlAHNlY3JldA=="));
        assertEquals(new Command("BDAT", "1000 LAST"), ascii("BDAT 1000 LAST"));
        assertFalse(ascii("QUIT").hasArgument());
        assertTrue(ascii("VRFY Smith").hasArgument());
    }

    @Test
    public void verbsAreCaseInsensitiveAndComeBackInUpperCase() throws SmtpSyntaxException {
        assertEquals("EHLO", ascii("ehlo client.example").verb());
        assertEquals("STARTTLS", ascii("StartTls").verb());
        assertEquals("Client.Example", ascii("ehlo Client.Example").argument());
    }

    @Test
    public void upperCaseDoesNotDependOnTheLocale() throws SmtpSyntaxException {
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr"));
        try {
            assertEquals("QUIT", ascii("quit").verb());
            assertEquals("MAIL", ascii("mail from:<a@example.org>").verb());
            assertEquals("<a@example.org>", ascii("mail from:<a@example.org>").argument());
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    public void whiteSpaceAroundTheVerbAndArgumentIsDropped() throws SmtpSyntaxException {
        assertEquals(new Command("NOOP", ""), ascii("NOOP   "));
        assertEquals(new Command("HELO", "client.example"), ascii("HELO\tclient.example"));
        assertEquals(new Command("HELO", "client.example"), ascii("HELO   client.example  "));
        assertEquals(new Command("NOOP", ""), ascii(" NOOP"));
        assertEquals(new Command("VRFY", "a  b"), ascii("VRFY a  b"));
    }

    @Test
    public void mailFromAndRcptToGiveWhatFollowsTheColon() throws SmtpSyntaxException {
        assertEquals(new Command("MAIL", "<Smith@bar.com>"), ascii("MAIL FROM:<Smith@bar.com>"));
        assertEquals(new Command("MAIL", "<> SIZE=100"), ascii("mail from:<> SIZE=100"));
        assertEquals(new Command("MAIL", "<a@example.org>"), ascii("MAIL From:<a@example.org>"));
        assertEquals(new Command("RCPT", "<Jones@foo.com>"), ascii("RCPT TO:<Jones@foo.com>"));
        assertEquals(
                new Command("RCPT", "<Jones@foo.com> NOTIFY=NEVER"), ascii("rcpt to:<Jones@foo.com> NOTIFY=NEVER"));
        assertEquals(new Command("MAIL", ""), ascii("MAIL FROM:"));
    }

    @Test
    public void spacesAfterTheColonAreAcceptedAsPostfixDoes() throws SmtpSyntaxException {
        assertEquals(new Command("MAIL", "<a@example.org>"), ascii("MAIL FROM: <a@example.org>"));
        assertEquals(
                new Command("MAIL", "<a@example.org> BODY=8BITMIME"),
                ascii("MAIL FROM:  <a@example.org> BODY=8BITMIME"));
        assertEquals(new Command("RCPT", "<b@example.org>"), ascii("RCPT TO: <b@example.org>"));
        assertEquals(new Command("RCPT", "<b@example.org>"), ascii("RCPT TO:\t<b@example.org>"));
    }

    @Test
    public void mailAndRcptWithoutTheirPrefixAreSyntaxErrors() {
        assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", error(() -> ascii("MAIL")));
        assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", error(() -> ascii("MAIL <a@example.org>")));
        assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", error(() -> ascii("MAIL FROM <a@example.org>")));
        assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", error(() -> ascii("MAIL FROM :<a@example.org>")));
        assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", error(() -> ascii("MAIL TO:<a@example.org>")));
        assertEquals("501 5.5.4 Syntax: RCPT TO:<address>", error(() -> ascii("RCPT")));
        assertEquals("501 5.5.4 Syntax: RCPT TO:<address>", error(() -> ascii("RCPT FROM:<a@example.org>")));
        assertEquals("501 5.5.4 Syntax: RCPT TO:<address>", error(() -> ascii("RCPT TO <a@example.org>")));
    }

    @Test
    public void emptyLinesAreErrors() {
        assertEquals("500 5.5.2 Empty command line", error(() -> ascii("")));
        assertEquals("500 5.5.2 Empty command line", error(() -> ascii("  \t ")));
    }

    @Test
    public void nulCrAndLfAreErrors() {
        assertEquals("500 5.5.2 NUL octet in command line", error(() -> ascii("NOOP\0")));
        assertEquals("500 5.5.2 NUL octet in command line", error(() -> utf8("HELO a\0b")));
        assertEquals("500 5.5.2 Bare CR or LF in command line", error(() -> ascii("NOOP\rRSET")));
        assertEquals("500 5.5.2 Bare CR or LF in command line", error(() -> ascii("MAIL FROM:<a@b>\nRCPT TO:<c@d>")));
    }

    @Test
    public void nonAsciiOctetsNeedSmtputf8() throws SmtpSyntaxException {
        byte[] line = "MAIL FROM:<j\u00f6rg@example.org>".getBytes(UTF_8);
        assertEquals("500 5.5.2 Non-ASCII octet in command line", error(() -> Command.parse(line, false)));
        assertEquals(new Command("MAIL", "<j\u00f6rg@example.org>"), Command.parse(line, true));
        assertEquals(
                new Command("RCPT", "<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>"),
                utf8("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>"));
        assertEquals(
                "500 5.5.2 Non-ASCII octet in command line",
                error(() -> Command.parse(new byte[] {'N', (byte) 0xff}, false)));
    }

    @Test
    public void malformedUtf8IsAnError() {
        String malformed = "500 5.5.2 Malformed UTF-8 in command line";
        assertEquals(malformed, error(() -> Command.parse(new byte[] {'H', 'E', 'L', 'O', ' ', (byte) 0xff}, true)));
        assertEquals(malformed, error(() -> Command.parse(new byte[] {'H', ' ', (byte) 0xc3}, true)));
        // overlong "/" and a UTF-8 encoded surrogate
        assertEquals(malformed, error(() -> Command.parse(new byte[] {'H', ' ', (byte) 0xc0, (byte) 0xaf}, true)));
        assertEquals(
                malformed,
                error(() -> Command.parse(new byte[] {'H', ' ', (byte) 0xed, (byte) 0xa0, (byte) 0x80}, true)));
    }

    @Test
    public void otherControlCharactersAreLeftToTheArgumentParsers() throws SmtpSyntaxException {
        assertEquals(new Command("HELO", "a\u0001b"), ascii("HELO a\u0001b"));
    }
}
