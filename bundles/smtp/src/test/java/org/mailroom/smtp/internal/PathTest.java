package org.mailroom.smtp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.mailroom.smtp.internal.Syntax.error;

import org.junit.Test;

public class PathTest {

    private static final String BAD_SENDER = "501 5.1.7 Bad sender address syntax";
    private static final String BAD_RECIPIENT = "501 5.1.3 Bad recipient address syntax";
    private static final String NEED_SMTPUTF8 = "553 5.6.7 Must declare SMTPUTF8 to send UTF-8 addresses";

    private static Path forward(String argument) throws SmtpSyntaxException {
        return Path.parseForward(argument, false);
    }

    private static Path reverse(String argument) throws SmtpSyntaxException {
        return Path.parseReverse(argument, false);
    }

    private static String address(String argument) throws SmtpSyntaxException {
        return forward(argument).address();
    }

    private static void assertBadRecipient(String argument) {
        assertEquals(argument, BAD_RECIPIENT, error(() -> forward(argument)));
        assertEquals(argument, BAD_SENDER, error(() -> reverse(argument)));
    }

    @Test
    public void rfc5321Examples() throws SmtpSyntaxException {
        // RFC 5321 appendix D.1 and section 3.3
        assertEquals("Smith@bar.com", reverse("<Smith@bar.com>").address());
        assertEquals("Jones@foo.com", address("<Jones@foo.com>"));
        assertEquals("Green@foo.com", address("<Green@foo.com>"));
        assertEquals("Brown@foo.com", address("<Brown@foo.com>"));
        assertEquals("JQP@bar.com", reverse("<JQP@bar.com>").address());
        // section 3.6.1: a source route, to be dropped
        assertEquals("userc@d.bar.org", address("<@hosta.int,@jkl.org:userc@d.bar.org>"));
    }

    @Test
    public void partsOfAPlainAddress() throws SmtpSyntaxException {
        Path path = forward("<John.Smith@Example.ORG>");
        assertEquals("John.Smith", path.rawLocalPart());
        assertEquals("John.Smith", path.localPart());
        assertEquals("Example.ORG", path.domain());
        assertEquals("John.Smith@Example.ORG", path.address());
        assertEquals("<John.Smith@Example.ORG>", path.toString());
        assertFalse(path.isNull());
        assertFalse(path.isPostmaster());
        assertFalse(path.isAddressLiteral());
        assertFalse(path.isUtf8());
    }

    @Test
    public void everyAtextCharacterMayBeInADotString() throws SmtpSyntaxException {
        String local = "!#$%&'*+-/=?^_`{|}~.az.AZ.09";
        assertEquals(local + "@example.org", address("<" + local + "@example.org>"));
        assertEquals("user+tag@example.org", address("<user+tag@example.org>"));
    }

    @Test
    public void badDotStrings() {
        for (String local : new String[] {".a", "a.", "a..b", "a b", "a(b)", "a,b", "a[b", "a\\b", "a\"b", "", "a:b"}) {
            assertBadRecipient("<" + local + "@example.org>");
        }
        assertBadRecipient("<a\u0001b@example.org>");
        assertBadRecipient("<a@@example.org>");
        assertBadRecipient("<a@b@example.org>");
    }

    @Test
    public void quotedLocalPartsAreUnquotedAndRequotedOnlyWhenNeeded() throws SmtpSyntaxException {
        Path spaces = forward("<\"john doe\"@example.org>");
        assertEquals("\"john doe\"", spaces.rawLocalPart());
        assertEquals("john doe", spaces.localPart());
        assertEquals("\"john doe\"@example.org", spaces.address());

        Path needless = forward("<\"john\"@example.org>");
        assertEquals("\"john\"", needless.rawLocalPart());
        assertEquals("john", needless.localPart());
        assertEquals("john@example.org", needless.address());

        assertEquals("john.smith@example.org", address("<\"john.smith\"@example.org>"));
        assertEquals("\".john\"@example.org", address("<\".john\"@example.org>"));
        assertEquals("\"a..b\"@example.org", address("<\"a..b\"@example.org>"));
        assertEquals("\"\"@example.org", address("<\"\"@example.org>"));
        assertEquals("\"a@b\"@example.org", address("<\"a@b\"@example.org>"));
        assertEquals("\"<a>\"@example.org", address("<\"<a>\"@example.org>"));
    }

    @Test
    public void quotedPairsEscapeQuotesBackslashesAndAnythingElse() throws SmtpSyntaxException {
        Path quote = forward("<\"a\\\"b\"@example.org>");
        assertEquals("\"a\\\"b\"", quote.rawLocalPart());
        assertEquals("a\"b", quote.localPart());
        assertEquals("\"a\\\"b\"@example.org", quote.address());

        Path backslash = forward("<\"a\\\\b\"@example.org>");
        assertEquals("a\\b", backslash.localPart());
        assertEquals("\"a\\\\b\"@example.org", backslash.address());

        // an escape that is not needed goes away
        assertEquals("ab@example.org", address("<\"a\\b\"@example.org>"));
        assertEquals("\"a b\"@example.org", address("<\"a\\ b\"@example.org>"));
        // a quoted ">" does not end the path
        assertEquals("\"a>b c\"@example.org", address("<\"a>b c\"@example.org> SIZE=1"));
    }

    @Test
    public void badQuotedStrings() {
        assertBadRecipient("<\"abc@example.org>");
        assertBadRecipient("<\"abc\\\"@example.org>");
        assertBadRecipient("<\"a\tb\"@example.org>");
        assertBadRecipient("<\"a\\\tb\"@example.org>");
        assertBadRecipient("<\"a\"b@example.org>");
        assertBadRecipient("<a\"b\"@example.org>");
        assertBadRecipient("<\"a\".b@example.org>");
        assertBadRecipient("<\"a\"");
    }

    @Test
    public void domains() throws SmtpSyntaxException {
        assertEquals("a@x", address("<a@x>"));
        assertEquals("a@mail-1.example-host.org", address("<a@mail-1.example-host.org>"));
        assertEquals("a@123.example", address("<a@123.example>"));
        assertEquals("a@xn--bcher-kva.example", address("<a@xn--bcher-kva.example>"));
        for (String domain :
                new String[] {"", "-x.org", "x-.org", "x..org", "x.", ".x", "x_y.org", "x y.org", "x.-y"}) {
            assertBadRecipient("<a@" + domain + ">");
        }
    }

    @Test
    public void ipv4AddressLiterals() throws SmtpSyntaxException {
        Path path = forward("<postmaster@[192.0.2.1]>");
        assertEquals("[192.0.2.1]", path.domain());
        assertTrue(path.isAddressLiteral());
        assertFalse(path.isPostmaster());
        assertEquals("postmaster@[192.0.2.1]", path.address());
        assertEquals("a@[0.0.0.0]", address("<a@[0.0.0.0]>"));
        assertEquals("a@[255.255.255.255]", address("<a@[255.255.255.255]>"));
        for (String literal :
                new String[] {"192.0.2.256", "192.0.2", "192.0.2.1.5", "192.0..1", "1234.0.0.1", "a.b.c.d", ""}) {
            assertBadRecipient("<a@[" + literal + "]>");
        }
        assertBadRecipient("<a@[192.0.2.1>");
        assertBadRecipient("<a@192.0.2.1]>");
        assertBadRecipient("<a@[192.0.2.1]x>");
    }

    @Test
    public void ipv6AddressLiterals() throws SmtpSyntaxException {
        for (String literal : new String[] {
            "IPv6:2001:db8::1",
            "IPv6:2001:DB8:0:0:0:0:0:1",
            "IPv6:::1",
            "IPv6:::",
            "IPv6:1::",
            "ipv6:fe80::1",
            "IPv6:1:2:3:4:5:6:7:8",
            "IPv6:1:2:3:4:5:6:7::",
            "IPv6:::ffff:192.0.2.1",
            "IPv6:::192.0.2.1",
            "IPv6:1:2:3:4:5:6:192.0.2.1",
            "IPv6:1::6:192.0.2.1"
        }) {
            assertEquals(literal, "a@[" + literal + "]", address("<a@[" + literal + "]>"));
        }
        for (String literal : new String[] {
            "IPv6:1:2:3:4:5:6:7:8:9",
            "IPv6:1:2:3:4:5:6:7",
            "IPv6:1::2::3",
            "IPv6::::",
            "IPv6:12345::",
            "IPv6:g::",
            "IPv6:1:2:3:4:5:6:7:192.0.2.1",
            "IPv6:::192.0.2.256",
            "IPv6::1",
            "IPv6:1:",
            "IPv6:",
            "IPv6:1:2:3:4:5:6:7:8::"
        }) {
            assertBadRecipient("<a@[" + literal + "]>");
        }
    }

    @Test
    public void generalAddressLiteralsFollowTheGrammar() throws SmtpSyntaxException {
        assertEquals("a@[x-tag:any~thing]", address("<a@[x-tag:any~thing]>"));
        assertBadRecipient("<a@[x-tag:]>");
        assertBadRecipient("<a@[x-:y]>");
        assertBadRecipient("<a@[x_y:z]>");
        assertBadRecipient("<a@[x:y z]>");
        assertBadRecipient("<a@[x:y\\z]>");
    }

    @Test
    public void sourceRoutesAreAcceptedAndDropped() throws SmtpSyntaxException {
        Path path = forward("<@ONE,@TWO:JOE@THREE>");
        assertEquals("JOE@THREE", path.address());
        assertEquals("JOE", path.rawLocalPart());
        assertEquals("THREE", path.domain());
        assertEquals(
                "joe@example.org", reverse("<@relay.example:joe@example.org>").address());
        assertBadRecipient("<@a.example:>");
        assertBadRecipient("<@a.example>");
        assertBadRecipient("<@a.example joe@example.org>");
        assertBadRecipient("<@:joe@example.org>");
        assertBadRecipient("<@a.example,b.example:joe@example.org>");
        assertBadRecipient("<@a.example,:joe@example.org>");
        assertBadRecipient("<@[192.0.2.1]:joe@example.org>");
        assertBadRecipient("@a.example:joe@example.org");
        assertEquals(BAD_RECIPIENT, error(() -> forward("<@a.example:postmaster>")));
    }

    @Test
    public void theNullReversePath() throws SmtpSyntaxException {
        Path path = reverse("<>");
        assertTrue(path.isNull());
        assertFalse(path.isPostmaster());
        assertEquals("", path.address());
        assertEquals("<>", path.toString());
        assertEquals(Path.NULL, path);
        assertTrue(reverse("<> SIZE=100").isNull());
        assertEquals(BAD_RECIPIENT, error(() -> forward("<>")));
        assertEquals(BAD_SENDER, error(() -> reverse("< >")));
        assertEquals(BAD_SENDER, error(() -> reverse("<>x")));
        assertEquals(BAD_SENDER, error(() -> reverse("<<>>")));
    }

    @Test
    public void postmasterWithoutDomainIsAForwardPathInAnyCase() throws SmtpSyntaxException {
        for (String argument :
                new String[] {"<postmaster>", "<Postmaster>", "<POSTMASTER>", "postmaster", "<postmaster> NOTIFY=NEVER"
                }) {
            Path path = forward(argument);
            assertTrue(argument, path.isPostmaster());
            assertFalse(path.isNull());
            assertEquals("postmaster", path.address());
            assertEquals("postmaster", path.localPart());
            assertEquals("", path.domain());
        }
        assertEquals("Postmaster", forward("<Postmaster>").rawLocalPart());
        assertEquals(BAD_SENDER, error(() -> reverse("<postmaster>")));
        assertEquals(BAD_RECIPIENT, error(() -> forward("<\"postmaster\">")));
        assertEquals(BAD_RECIPIENT, error(() -> forward("<abuse>")));
        assertEquals(BAD_RECIPIENT, error(() -> forward("<postmaster.x>")));
        Path withDomain = forward("<Postmaster@Example.org>");
        assertFalse(withDomain.isPostmaster());
        assertEquals("Postmaster@Example.org", withDomain.address());
    }

    @Test
    public void anAddressWithoutAngleBracketsIsAcceptedAsPostfixAndEximDo() throws SmtpSyntaxException {
        assertEquals("a@example.org", address("a@example.org"));
        assertEquals("a@example.org", reverse("a@example.org SIZE=1").address());
        assertEquals("\"a b\"@example.org", address("\"a b\"@example.org"));
        assertBadRecipient("a@example.org>");
        assertBadRecipient("<a@example.org");
        assertBadRecipient("a");
    }

    @Test
    public void parametersMayFollowAfterWhiteSpaceOnly() throws SmtpSyntaxException {
        assertEquals("a@example.org", address("<a@example.org> NOTIFY=NEVER ORCPT=rfc822;a@example.org"));
        assertEquals("a@example.org", address("<a@example.org>\tNOTIFY=NEVER"));
        assertBadRecipient("<a@example.org>NOTIFY=NEVER");
        assertBadRecipient("<a@example.org>>");
        assertEquals(15, Path.end("<a@example.org> SIZE=1", true));
        assertEquals(2, Path.end("<> SIZE=1", true));
        assertEquals("501 5.1.7 Bad sender address syntax", error(() -> Path.end("<a@@b> SIZE=1", true)));
    }

    @Test
    public void anEmptyArgumentGetsTheCommandSyntax() {
        assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", error(() -> reverse("")));
        assertEquals("501 5.5.4 Syntax: RCPT TO:<address>", error(() -> forward("")));
    }

    @Test
    public void localPartsUpTo64Octets() throws SmtpSyntaxException {
        String local64 = "a".repeat(64);
        assertEquals(local64 + "@example.org", address("<" + local64 + "@example.org>"));
        assertEquals(
                "553 5.1.3 Recipient local part too long (64 octets at most)",
                error(() -> forward("<a" + local64 + "@example.org>")));
        assertEquals(
                "553 5.1.7 Sender local part too long (64 octets at most)",
                error(() -> reverse("<a" + local64 + "@example.org>")));
        // the raw form counts, quotes included
        String quoted62 = "\"" + "a".repeat(62) + "\"";
        assertEquals(62, forward("<" + quoted62 + "@example.org>").localPart().length());
        assertEquals(
                "553 5.1.3 Recipient local part too long (64 octets at most)",
                error(() -> forward("<\"" + "a".repeat(63) + "\"@example.org>")));
    }

    @Test
    public void domainsUpTo255OctetsAndPathsUpTo256() throws SmtpSyntaxException {
        String domain252 = label(63) + "." + label(63) + "." + label(63) + "." + label(60);
        assertEquals(252, domain252.length());
        assertEquals("a@" + domain252, address("<a@" + domain252 + ">"));
        String domain253 = domain252 + "b";
        assertEquals(
                "501 5.1.3 Recipient path too long (256 octets at most)",
                error(() -> forward("<a@" + domain253 + ">")));
        assertEquals(
                "501 5.1.7 Sender path too long (256 octets at most)", error(() -> reverse("<a@" + domain253 + ">")));
        String domain256 = domain252 + ".bcd";
        assertEquals(
                "553 5.1.3 Recipient domain too long (255 octets at most)",
                error(() -> forward("<a@" + domain256 + ">")));
        assertEquals(
                "553 5.1.7 Sender domain too long (255 octets at most)", error(() -> reverse("<a@" + domain256 + ">")));
        // a source route is dropped, so it does not count
        assertEquals("a@" + domain252, address("<@relay." + label(60) + ".example:a@" + domain252 + ">"));
    }

    @Test
    public void limitsCountOctetsOfUtf8() throws SmtpSyntaxException {
        String local32 = "\u00e9".repeat(32);
        assertEquals(
                local32 + "@example.org",
                Path.parseForward("<" + local32 + "@example.org>", true).address());
        assertEquals(
                "553 5.1.3 Recipient local part too long (64 octets at most)",
                error(() -> Path.parseForward("<" + local32 + "e@example.org>", true)));
    }

    @Test
    public void utf8AddressesNeedSmtputf8() throws SmtpSyntaxException {
        String address = "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a";
        Path path = Path.parseForward("<" + address + ">", true);
        assertTrue(path.isUtf8());
        assertEquals(address, path.address());
        assertEquals("\u4f8b\u5b50.\u5e7f\u544a", path.domain());
        assertEquals(NEED_SMTPUTF8, error(() -> Path.parseForward("<" + address + ">", false)));
        assertEquals(NEED_SMTPUTF8, error(() -> Path.parseReverse("<" + address + ">", false)));

        assertEquals(
                "j\u00f6rg@example.org",
                Path.parseReverse("<j\u00f6rg@example.org>", true).address());
        assertEquals(NEED_SMTPUTF8, error(() -> Path.parseReverse("<j\u00f6rg@example.org>", false)));
        assertEquals(
                "joerg@b\u00fccher.example",
                Path.parseForward("<joerg@b\u00fccher.example>", true).address());
        assertEquals(NEED_SMTPUTF8, error(() -> Path.parseForward("<joerg@b\u00fccher.example>", false)));
        assertEquals(
                "\"j \u00f6rg\"@example.org",
                Path.parseForward("<\"j \u00f6rg\"@example.org>", true).address());
        assertEquals(NEED_SMTPUTF8, error(() -> Path.parseForward("<\"j \u00f6rg\"@example.org>", false)));
        // Devanagari with a combining vowel sign in the domain
        assertEquals(
                "a@\u0915\u093f.example",
                Path.parseForward("<a@\u0915\u093f.example>", true).address());

        Path ascii = Path.parseForward("<a@example.org>", true);
        assertFalse(ascii.isUtf8());
        assertTrue(Path.parseReverse("<>", false).isNull());
    }

    @Test
    public void notEveryNonAsciiCharacterMakesADomain() {
        assertEquals(BAD_RECIPIENT, error(() -> Path.parseForward("<a@snow\u2603.example>", true)));
        assertEquals(BAD_RECIPIENT, error(() -> Path.parseForward("<a@\u00a0.example>", true)));
        assertEquals(BAD_RECIPIENT, error(() -> Path.parseForward("<a@[192.0.2.\u0661]>", true)));
        assertEquals(BAD_RECIPIENT, error(() -> Path.parseForward("<a\u0085b@example.org>", true)));
        assertEquals(BAD_RECIPIENT, error(() -> Path.parseForward("<\"a\\\u00e9\"@example.org>", true)));
    }

    @Test
    public void domainsKeepTheirCase() throws SmtpSyntaxException {
        assertEquals("Bob@Example.COM", address("<Bob@Example.COM>"));
    }

    private static String label(int length) {
        return "x".repeat(length);
    }
}
