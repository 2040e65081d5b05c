package org.mailroom.filter.words.internal;

import java.nio.file.Path;

/**
 * The filter's settings from {@code etc/org.mailroom.filter.words.cfg}.
 *
 * @param rulesFile the rules file
 * @param folding how text and words are folded before matching
 * @param refusalText the reply text for a rejected or deferred message (the rule's line is added)
 * @param tagHeader the header field that names the tag rules a delivered message matched
 * @param reloadIntervalSeconds how often the rules files are checked for changes
 */
record Settings(Path rulesFile, Folding folding, String refusalText, String tagHeader, int reloadIntervalSeconds) {}
