package org.mailroom.store.maildir.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class MaildirNamesTest {

    @Test
    public void uidIsTheBaseNameBeforeTheFlags() {
        assertEquals(
                "1795424799.M721076P6486.vm,S=33,W=38", MaildirNames.uid("1795424799.M721076P6486.vm,S=33,W=38:2,S"));
        assertEquals("1795424799.M721076P6486.vm,S=33,W=38", MaildirNames.uid("1795424799.M721076P6486.vm,S=33,W=38"));
        assertEquals("1.2.host", MaildirNames.uid("1.2.host:2,"));
    }

    @Test
    public void longOrUnprintableBaseNamesBecomeStableDigests() {
        String longName = "1795424799." + "x".repeat(80) + ".host";
        String uid = MaildirNames.uid(longName + ":2,S");
        assertEquals(uid, MaildirNames.uid(longName + ":2,RS"));
        assertTrue(uid.length() <= MaildirNames.MAX_UID_LENGTH);
        assertTrue(uid.chars().allMatch(c -> c >= 0x21 && c <= 0x7E));
        assertNotEquals(uid, MaildirNames.uid("1795424799." + "y".repeat(80) + ".host"));
        String spaced = MaildirNames.uid("17 95.host");
        assertTrue(spaced.chars().allMatch(c -> c >= 0x21 && c <= 0x7E));
        assertNotEquals("17 95.host", spaced);
        assertEquals("x".repeat(70), MaildirNames.uid("x".repeat(70)));
    }

    @Test
    public void parsesNameFields() {
        String name = "1795424799.M721076P6486Q12.vm,S=33,W=38:2,S";
        assertEquals(1795424799L, MaildirNames.epochSeconds(name));
        assertEquals(721076L, MaildirNames.middleNumber(name, 'M'));
        assertEquals(12L, MaildirNames.middleNumber(name, 'Q'));
        assertEquals(33L, MaildirNames.sizeField(name, 'S'));
        assertEquals(38L, MaildirNames.sizeField(name, 'W'));
        assertEquals(-1L, MaildirNames.sizeField("1.2.host", 'W'));
        assertEquals(-1L, MaildirNames.sizeField("1.2.host,W=12x", 'W'));
        assertEquals(-1L, MaildirNames.epochSeconds("msg.1"));
        assertEquals(0L, MaildirNames.middleNumber("1234.host", 'M'));
    }

    @Test
    public void escapesHostNames() {
        assertEquals("a\\057b\\072c\\054d", MaildirNames.sanitizeHost("a/b:c,d"));
        assertEquals("localhost", MaildirNames.sanitizeHost(""));
    }

    @Test
    public void rejectsUserNamesThatLeaveTheRoot() {
        for (String bad :
                new String[] {null, "", ".", "..", "../x", "a/b", "a\\b", "a\0b", ".hidden", "a..b", "x".repeat(256)}) {
            assertNotNull(bad, MaildirNames.invalidUserReason(bad));
        }
        for (String good : new String[] {"alice", "bob@example.com", "a.b", "user-1_x"}) {
            assertNull(good, MaildirNames.invalidUserReason(good));
        }
    }
}
