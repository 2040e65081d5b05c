package org.mailroom.filter.words.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;

/** The rules over messages as the delivery chain hands them to the filter. */
public class WordsSessionTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private static final Settings SETTINGS = new Settings(
            Path.of("unused"), new Folding(true, true, false), "Message refused by the content policy", "X-Words", 2);

    @Test
    public void aWordInTheSubjectRejectsWithoutTellingTheSenderWhichWord() throws Exception {
        Rules rules = rules("reject word 绝密\n");
        FilterVerdict v = run(rules, "关于绝密项目", "text/plain", "nothing here");
        assertEquals(FilterVerdict.Action.REJECT, v.action());
        assertEquals("550 5.7.1 Message refused by the content policy (rule at line 1)", v.reply());
        assertTrue(v.reason(), v.reason().contains("\"绝密\""));
    }

    @Test
    public void countsAddUpOverSubjectAndPartsAgainstTheThreshold() throws Exception {
        Rules rules = rules("# comment\n\nquarantine/3 word 内部资料\n");
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(rules, "内部资料", "text/plain", "内部资料").action());
        FilterVerdict v = run(rules, "内部资料", "text/plain", "内部资料 and again 内部资料");
        assertEquals(FilterVerdict.Action.QUARANTINE, v.action());
        assertTrue(
                v.reason(), v.reason().contains("rule at line 3") && v.reason().contains("3 time(s)"));
    }

    @Test
    public void fullWidthAndCaseAreFolded() throws Exception {
        Rules rules = rules("reject word Falcon 7\n");
        assertEquals(
                FilterVerdict.Action.REJECT,
                run(rules, "", "text/plain", "the ＦＡＬＣＯＮ　７ plan").action());
    }

    @Test
    public void traditionalCharactersMatchSimplifiedWordsWhereConfigured() throws Exception {
        Path file = folder.getRoot().toPath().resolve("t.rules");
        Files.writeString(file, "reject word 机密\n", UTF_8);
        Rules folded = RulesParser.parse(file, new Folding(true, true, true)).rules();
        assertEquals(
                FilterVerdict.Action.REJECT,
                run(folded, "", "text/plain", "這是機密文件").action());
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(rules("reject word 机密\n"), "", "text/plain", "這是機密文件").action());
        Files.writeString(file, "reject word 機密\n", UTF_8);
        Rules traditionalWord =
                RulesParser.parse(file, new Folding(true, true, true)).rules();
        assertEquals(
                "a traditional word matches simplified text",
                FilterVerdict.Action.REJECT,
                run(traditionalWord, "机密", "text/plain", "").action());
    }

    @Test
    public void aLatinWordMatchesOnlyWhole() throws Exception {
        Rules rules = rules("reject word secret\n");
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(rules, "", "text/plain", "secretary, top-secrets").action());
        FilterVerdict v = run(rules, "", "text/plain", "a Secret.");
        assertEquals(FilterVerdict.Action.REJECT, v.action());
        assertTrue(
                "the match as folded, without the boundary: " + v.reason(),
                v.reason().endsWith("first \"secret\""));
        assertEquals(
                "at the end of the text",
                FilterVerdict.Action.REJECT,
                run(rules, "", "text/plain", "secret").action());
    }

    @Test
    public void htmlIsMatchedAsItsVisibleText() throws Exception {
        Rules rules = rules("reject word 机密\nreject word budget\n");
        assertEquals(
                FilterVerdict.Action.REJECT,
                run(rules, "", "text/html", "<p>机<b>密</b></p>").action());
        assertEquals(
                FilterVerdict.Action.REJECT,
                run(rules, "", "text/html", "<p>&#26426;&#x5BC6;</p>").action());
        assertEquals(
                "a tag does not hide a word, a script is not text",
                FilterVerdict.Action.ACCEPT,
                run(rules, "", "text/html", "<script>var budget;</script><p>bud</p><p>get</p>")
                        .action());
        assertEquals(
                "a long comment ends",
                FilterVerdict.Action.REJECT,
                run(rules, "", "text/html", "<!--" + "x > y ".repeat(2000) + "-->机密")
                        .action());
    }

    @Test
    public void regexRulesAndTagsAndTheMostSevereActionWins() throws Exception {
        Rules rules = rules("tag regex (?i)project\\s+falcon\ndefer/2 regex \\b\\d{6}\\b\n");
        FilterVerdict tagged = run(rules, "", "text/plain", "About Project  Falcon\nbye");
        assertEquals(FilterVerdict.Action.ACCEPT, tagged.action());
        assertEquals("X-Words", tagged.headerChanges().get(0).name());
        assertEquals("line 1", tagged.headerChanges().get(0).value());
        FilterVerdict deferred = run(rules, "", "text/plain", "project falcon 123456\n654321");
        assertEquals(FilterVerdict.Action.DEFER, deferred.action());
        assertTrue(deferred.reply().startsWith("451 4.7.1 "));
    }

    @Test
    public void dataLossDetectorsCountValidNumbersOnlyAgainstTheirThresholds() throws Exception {
        Rules rules = rules("quarantine/3 cn-id\nreject bank-card\ntag/2 cn-mobile\ntag email\n");
        String ids = "客户 11010519491231002X、44030419900307123X,\n31011519851101456X";
        assertEquals(
                FilterVerdict.Action.QUARANTINE,
                run(rules, "", "text/plain", ids).action());
        assertEquals(
                "a wrong check digit does not count",
                FilterVerdict.Action.ACCEPT,
                run(rules, "", "text/plain", ids.replace("31011519851101456X", "310115198511014561"))
                        .action());
        assertEquals(
                "full-width digits are digits",
                FilterVerdict.Action.REJECT,
                run(rules, "", "text/plain", "卡号：６２２８ ４８００ ００００ ０００７").action());
        assertEquals(
                FilterVerdict.Action.ACCEPT,
                run(rules, "", "text/plain", "order 4111111111111112").action());
        FilterVerdict tagged = run(rules, "", "text/plain", "call 13800138000 or +86 13912345678, mail a.b@example.cn");
        assertEquals(FilterVerdict.Action.ACCEPT, tagged.action());
        assertEquals("line 3, line 4", tagged.headerChanges().get(0).value());
        assertTrue(
                "a detector takes no pattern",
                assertThrowsRules("reject cn-id 123\n").get(0).contains(": cn-id takes no pattern"));
    }

    private List<String> assertThrowsRules(String text) throws IOException {
        try {
            rules(text);
        } catch (RulesException e) {
            return e.problems();
        }
        throw new AssertionError("rules accepted: " + text);
    }

    @Test
    public void aWordsFileHoldsTheDictionary() throws Exception {
        Path dir = folder.newFolder("words").toPath();
        Files.writeString(dir.resolve("banned.txt"), "# list\n甲乙\n丙丁\n\nfoo bar\n", UTF_8);
        Rules rules = rules("reject words words/banned.txt\n");
        assertEquals(3, rules.words());
        assertEquals(
                FilterVerdict.Action.REJECT,
                run(rules, "", "text/plain", "x 丙丁 y").action());
        assertEquals(
                FilterVerdict.Action.REJECT,
                run(rules, "FOO BAR", "text/plain", "").action());
        assertEquals(
                "the text a text extractor found in a PDF is matched too",
                FilterVerdict.Action.REJECT,
                run(rules, "", "application/pdf", "丙丁").action());
    }

    @Test
    public void everyBadLineIsReportedWithFileAndLine() throws Exception {
        Path file = folder.getRoot().toPath().resolve("bad.rules");
        Files.writeString(
                file,
                "reject word ok\nblock word x\nreject/0 word y\nreject regex (unclosed\n"
                        + "tag words missing.txt\nreject word\n",
                UTF_8);
        RulesException e = null;
        try {
            RulesParser.parse(file, new Folding(true, true, false));
        } catch (RulesException thrown) {
            e = thrown;
        }
        List<String> problems = e.problems();
        assertEquals(problems.toString(), 5, problems.size());
        assertTrue(problems.get(0), problems.get(0).startsWith(file + ":2: unknown action \"block\""));
        assertTrue(problems.get(1), problems.get(1).startsWith(file + ":3: count \"0\""));
        assertTrue(problems.get(2), problems.get(2).startsWith(file + ":4: bad regular expression"));
        assertTrue(problems.get(3), problems.get(3).startsWith(file + ":5: no such words file"));
        assertTrue(problems.get(4), problems.get(4).startsWith(file + ":6: expected ACTION[/COUNT] KIND PATTERN"));
    }

    // ---- helpers

    private Rules rules(String text) throws IOException, RulesException {
        Path file = folder.getRoot().toPath().resolve("test.rules");
        Files.writeString(file, text, UTF_8);
        return RulesParser.parse(file, new Folding(true, true, false)).rules();
    }

    /** Feeds the session as the chain does: the Subject, then one part's text in small chunks. */
    private static FilterVerdict run(Rules rules, String subject, String type, String body) {
        WordsSession s = new WordsSession(rules, SETTINGS);
        s.header(new MimeField("From", "a@b", "a@b"));
        s.header(new MimeField("Subject", subject, subject));
        MimePart part = new Part(type);
        s.startPart(part);
        for (int i = 0; i < body.length(); i += 3) {
            s.text(part, body.substring(i, Math.min(body.length(), i + 3)));
        }
        s.endPart(part);
        return s.finish();
    }

    private record Part(String mimeType) implements MimePart {
        public String path() {
            return "1";
        }

        public String charset() {
            return mimeType.startsWith("text/") ? "utf-8" : null;
        }

        public String fileName() {
            return null;
        }

        public boolean attachment() {
            return false;
        }

        public List<MimeField> headers() {
            return List.of();
        }
    }
}
