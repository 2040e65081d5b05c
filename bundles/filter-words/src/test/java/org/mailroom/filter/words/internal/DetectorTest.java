package org.mailroom.filter.words.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class DetectorTest {

    @Test
    public void residentIdsNeedARealBirthDateAndTheGb11643CheckCharacter() {
        assertTrue(Detector.isResidentId("11010519491231002X"));
        assertTrue(Detector.isResidentId("11010519491231002x"));
        assertTrue(Detector.isResidentId("510107200002297896"));
        assertFalse("wrong check character", Detector.isResidentId("110105194912310021"));
        assertFalse("no 30 February", Detector.isResidentId("510107200002307896"));
        assertFalse("born in the future", Detector.isResidentId("510107209902297896"));
    }

    @Test
    public void cardNumbersNeedLuhnAndAKnownIssuer() {
        assertTrue("UnionPay, 19 digits", Detector.isBankCard("6222020000000000000"));
        assertTrue("UnionPay, grouped", Detector.isBankCard("6228 4800 0000 0007"));
        assertTrue("Visa", Detector.isBankCard("4111-1111-1111-1111"));
        assertFalse("Luhn fails", Detector.isBankCard("4111111111111112"));
        assertFalse("no such issuer", Detector.isBankCard("9999990000000006"));
        assertFalse("Amex is 15 digits", Detector.isBankCard("3411111111111111"));
    }
}
