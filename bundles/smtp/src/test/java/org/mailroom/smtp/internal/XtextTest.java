package org.mailroom.smtp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class XtextTest {

    @Test
    public void xcharsStandForThemselvesAndPlusHexForAnOctet() {
        assertEquals("", Xtext.decode(""));
        assertEquals("!\"#<>~", Xtext.decode("!\"#<>~"));
        assertEquals("a+b=c", Xtext.decode("a+2Bb+3Dc"));
        assertEquals("a b", Xtext.decode("a+20b"));
        assertEquals("a+b", Xtext.decode("a+2bb"));
        assertEquals("\u00e9", Xtext.decode("+C3+A9"));
        assertEquals("\n", Xtext.decode("+0A"));
    }

    @Test
    public void malformedXtext() {
        for (String bad :
                new String[] {"+", "+4", "a+4", "+GG", "+4G", "+ 4", "a=b", "a b", "\u00e9", "\t", "+C3", "+FF"}) {
            assertNull(bad, Xtext.decode(bad));
        }
    }

    @Test
    public void utf8AddressesOfRfc6533() {
        assertEquals("j\u00f6rg@x", Xtext.decodeUtf8Address("j\\x{F6}rg@x"));
        assertEquals("j\u00f6rg@x", Xtext.decodeUtf8Address("j\\x{f6}rg@x"));
        assertEquals("j\u00f6rg@x", Xtext.decodeUtf8Address("j\u00f6rg@x"));
        assertEquals("\ud83d\ude00", Xtext.decodeUtf8Address("\\x{1F600}"));
        assertEquals("+=\\", Xtext.decodeUtf8Address("\\x{2B}\\x{3D}\\x{5C}"));
        for (String bad :
                new String[] {"\\x{}", "\\x{1234567}", "\\x{110000}", "\\x{D800}", "\\x{41", "\\x41", "+41", "=", " "
                }) {
            assertNull(bad, Xtext.decodeUtf8Address(bad));
        }
    }

    @Test
    public void hexDigitsAreAsciiOnly() {
        assertEquals(0, Xtext.hex('0'));
        assertEquals(15, Xtext.hex('F'));
        assertEquals(15, Xtext.hex('f'));
        assertEquals(-1, Xtext.hex('g'));
        assertEquals(-1, Xtext.hex('\u0661'));
        assertEquals(-1, Xtext.hex('\uff11'));
    }

    @Test
    public void printableAscii() {
        assertTrue(Xtext.isPrintableAscii("a b~"));
        assertFalse(Xtext.isPrintableAscii("a\tb"));
        assertFalse(Xtext.isPrintableAscii("\u007f"));
        assertFalse(Xtext.isPrintableAscii("\u00e9"));
    }
}
