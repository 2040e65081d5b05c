package org.mailroom.filter.words.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.filter.FilterVerdict;

/** The component: settings, and rules files reloaded on change with a bad version kept out. */
public class WordsFilterTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final WordsFilter filter = new WordsFilter();
    private boolean active;

    @After
    public void stop() {
        if (active) {
            filter.deactivate();
        }
    }

    @Test
    public void rulesAreReloadedWhenAFileChangesAndABadVersionKeepsThePrevious() throws Exception {
        Path dir = folder.getRoot().toPath();
        Path rules = dir.resolve("mailroom-words.rules");
        Path words = dir.resolve("list.txt");
        Files.writeString(rules, "reject word 绝密\nreject words list.txt\n", UTF_8);
        Files.writeString(words, "甲\n", UTF_8);
        activate(config("mailroom-words.rules", 3600), dir);
        assertEquals(2, filter.rules().rules().size());
        assertEquals(2, filter.rules().words());

        write(words, "甲\n乙\n丙\n", 1);
        filter.reloadIfChanged();
        assertEquals(
                "a words file that changed is read again", 4, filter.rules().words());

        write(rules, "reject word 绝密\nbogus line\n", 2);
        filter.reloadIfChanged();
        assertEquals("a bad version is not applied", 4, filter.rules().words());

        write(rules, "tag word 好\n", 3);
        filter.reloadIfChanged();
        assertEquals(1, filter.rules().rules().size());
    }

    @Test
    public void rulesThatNeverParsedDeferMailUntilTheFileIsFixed() throws Exception {
        Path dir = folder.getRoot().toPath();
        Path rules = dir.resolve("mailroom-words.rules");
        Files.writeString(rules, "reject word 绝密\nbroken\n", UTF_8);
        activate(config("mailroom-words.rules", 3600), dir);
        assertEquals(null, filter.rules());
        FilterVerdict v = filter.open(null).finish();
        assertEquals(FilterVerdict.Action.DEFER, v.action());
        assertEquals("451 4.7.1 Content filter rules not loaded, try again later", v.reply());

        write(rules, "reject word 绝密\n", 1);
        filter.reloadIfChanged();
        assertEquals(1, filter.rules().rules().size());
        assertEquals(FilterVerdict.Action.ACCEPT, filter.open(null).finish().action());
    }

    @Test
    public void aMissingRulesFileMeansNoRulesAndBadSettingsNameTheKey() throws Exception {
        activate(config("none.rules", 2), folder.getRoot().toPath());
        assertEquals(0, filter.rules().rules().size());
        assertEquals(
                "no rules: a session that does nothing but accept", false, filter.open(null) instanceof WordsSession);
        assertEquals(FilterVerdict.Action.ACCEPT, filter.open(null).finish().action());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> WordsFilter.settings(config("x", 0), Map.of()));
        assertTrue(e.getMessage(), e.getMessage().contains("key reloadIntervalSeconds"));
    }

    private void activate(WordsFilter.Config config, Path etc) {
        filter.activate(config, Map.of("karaf.etc", etc.toString()));
        active = true;
    }

    /** Writes the file with a modification time of its own, so that the change is seen. */
    private static void write(Path file, String text, int step) throws Exception {
        Files.writeString(file, text, UTF_8);
        Files.setLastModifiedTime(
                file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(step)));
    }

    private static WordsFilter.Config config(String rulesFile, int reload) {
        return new WordsFilter.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return WordsFilter.Config.class;
            }

            @Override
            public String rulesFile() {
                return rulesFile;
            }

            @Override
            public boolean foldWidth() {
                return true;
            }

            @Override
            public boolean foldCase() {
                return true;
            }

            @Override
            public boolean foldTraditional() {
                return false;
            }

            @Override
            public String refusalText() {
                return "Refused";
            }

            @Override
            public String tagHeader() {
                return "X-Words";
            }

            @Override
            public int reloadIntervalSeconds() {
                return reload;
            }
        };
    }
}
