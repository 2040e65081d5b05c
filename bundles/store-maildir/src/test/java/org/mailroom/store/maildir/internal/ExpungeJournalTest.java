package org.mailroom.store.maildir.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import java.util.List;
import org.junit.Test;

public class ExpungeJournalTest {

    @Test
    public void plainNamesAreWrittenAsReadableLines() throws Exception {
        List<String> entries =
                List.of("cur/1700000000.M1P2.host,S=12,W=13:2,S", "new/1700000001.M5P2Q3.h\\057x,S=4,W=5");
        byte[] journal = ExpungeJournal.format(entries);
        assertEquals(
                "mailroom-expunge 1\ncur/1700000000.M1P2.host,S=12,W=13:2,S\nnew/1700000001.M5P2Q3.h\\057x,S=4,W=5\n"
                        + "end\n",
                new String(journal, UTF_8));
        assertEquals(entries, ExpungeJournal.parse(journal));
        assertEquals(List.of(), ExpungeJournal.parse(ExpungeJournal.format(List.of())));
    }

    @Test
    public void oddNamesRoundTripOnOneLineEach() throws Exception {
        List<String> entries = List.of(
                "new/100%.host",
                "cur/line\nbreak:2,S", "cur/tab\tand\rcr\u007f", "new/Grüße 日本", "new/%41 is not decoded twice");
        byte[] journal = ExpungeJournal.format(entries);
        assertEquals(entries.size() + 2, new String(journal, UTF_8).split("\n").length);
        assertEquals(entries, ExpungeJournal.parse(journal));
        assertEquals("new/100%25.host", ExpungeJournal.encode("new/100%.host"));
        assertEquals("new/A", ExpungeJournal.decode("new/%41"));
        assertEquals("new/a", ExpungeJournal.decode("new/%61"));
    }

    @Test
    public void escapesNeedTwoAsciiHexDigits() {
        assertNull(ExpungeJournal.decode("new/x%"));
        assertNull(ExpungeJournal.decode("new/x%4"));
        assertNull(ExpungeJournal.decode("new/x%G0"));
        assertNull(ExpungeJournal.decode("new/x%\u0663\u0663"));
    }

    @Test
    public void onlyPlainFilesInNewAndCurAreEntries() {
        for (String bad : new String[] {
            "tmp/x",
            "x",
            "/new/x",
            "new/",
            "new/.hidden",
            "new/..",
            "cur/.",
            "new/a/b",
            "new/../x",
            "cur/x\0y",
            "NEW/x",
            "new\\x"
        }) {
            if (ExpungeJournal.invalidEntryReason(bad) == null) {
                fail("accepted " + bad);
            }
            try {
                ExpungeJournal.format(List.of(bad));
                fail("wrote " + bad);
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
        assertNull(ExpungeJournal.invalidEntryReason("new/a..b"));
        assertNull(ExpungeJournal.invalidEntryReason("cur/1.2.h:2,S"));
    }
}
