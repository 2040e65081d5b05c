package org.mailroom.filter.words.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;

/**
 * Counts the matches of every rule over one message: its Subject, the characters of every
 * text part (bodies and text attachments; HTML without its tags), and the text a text extractor
 * found in a PDF or Office attachment. Each text is folded as the rules
 * say and scanned once by the automaton; regex rules see it line by line. Attachment rules are
 * checked by an {@link AttachmentScan} on the same pass.
 */
final class WordsSession implements FilterSession, WordMatcher.Hits {

    /** A line longer than this is matched in pieces of this size (an expression does not span them). */
    private static final int MAX_LINE = 64 * 1024;

    private final Rules rules;
    private final Settings settings;
    private final WordMatcher.Scan scan;
    private final int[] counts;
    private final String[] firstMatch;
    /** The last characters seen, a power of two of them, longer than the longest word. */
    private final char[] recent;

    private final int mask;
    private final StringBuilder line = new StringBuilder();
    private final List<long[]> pendingEnd = new ArrayList<>();
    private final HtmlText html = new HtmlText();
    private long position;
    private long textStart;
    private boolean htmlPart;
    /** The attachment rules' part of the work, null when there are none. */
    private final AttachmentScan attachments;

    WordsSession(Rules rules, Settings settings) {
        this.rules = rules;
        this.settings = settings;
        this.scan = rules.matcher().scan();
        this.counts = new int[rules.rules().size()];
        this.firstMatch = new String[rules.rules().size()];
        this.recent = new char[Integer.highestOneBit(rules.longestWord() + 2) * 2];
        this.mask = recent.length - 1;
        this.attachments =
                rules.attachmentChecks().isEmpty() ? null : new AttachmentScan(rules.attachmentChecks(), this::matched);
    }

    @Override
    public void header(MimeField field) {
        if (field.name().equalsIgnoreCase("Subject")) {
            feed(field.value());
            endText();
        }
    }

    @Override
    public void startPart(MimePart part) {
        htmlPart = part.mimeType().equals("text/html");
        html.reset();
        if (attachments != null) {
            attachments.start(part);
        }
    }

    @Override
    public void content(MimePart part, byte[] octets, int offset, int length) {
        if (attachments != null) {
            attachments.content(octets, offset, length);
        }
    }

    @Override
    public void text(MimePart part, CharSequence chars) {
        if (htmlPart) {
            html.strip(chars, this::feed);
        } else {
            feed(chars);
        }
    }

    @Override
    public void unreadable(MimePart part, String reason) {
        if (attachments != null) {
            attachments.unreadable(reason);
        }
    }

    @Override
    public void endPart(MimePart part) {
        endText();
        if (attachments != null) {
            attachments.end();
        }
    }

    /** A match of a rule that is not about text: an attachment's name, type, size or archive. */
    private void matched(int rule, String what) {
        counts[rule]++;
        if (firstMatch[rule] == null) {
            firstMatch[rule] = what;
        }
    }

    private void feed(CharSequence chars) {
        for (int i = 0; i < chars.length(); i++) {
            feed(chars.charAt(i));
        }
    }

    private void feed(char raw) {
        char c = rules.folding().fold(raw);
        if (!pendingEnd.isEmpty()) {
            boolean boundary = !RulesParser.isLatinWordChar(c);
            for (long[] p : pendingEnd) {
                if (boundary) {
                    count((int) p[0], p[1]);
                }
            }
            pendingEnd.clear();
        }
        recent[(int) position & mask] = c;
        position++;
        scan.feed(c, this);
        if (rules.regexes().isEmpty()) {
            return;
        }
        if (c == '\n' || line.length() >= MAX_LINE) {
            matchLine();
        } else {
            line.append(c);
        }
    }

    /** A word ended at {@code end}; a Latin word counts only where it is not part of a longer one. */
    @Override
    public void hit(int word, long end) {
        if (!rules.latinEdges()[word]) {
            count(word, end);
            return;
        }
        long before = end - rules.matcher().length(word) - 1;
        if (before >= textStart && RulesParser.isLatinWordChar(recent[(int) before & mask])) {
            return;
        }
        pendingEnd.add(new long[] {word, end});
    }

    private void count(int word, long end) {
        for (int rule : rules.wordRules()[word]) {
            counts[rule]++;
            if (firstMatch[rule] == null) {
                firstMatch[rule] = text(end - rules.matcher().length(word), end);
            }
        }
    }

    /** The folded text from {@code start} to {@code end}, still in the ring of recent characters. */
    private String text(long start, long end) {
        StringBuilder w = new StringBuilder();
        for (long p = start; p < end; p++) {
            w.append(recent[(int) p & mask]);
        }
        return w.toString();
    }

    private void endText() {
        for (long[] p : pendingEnd) {
            count((int) p[0], p[1]);
        }
        pendingEnd.clear();
        matchLine();
        scan.reset();
        textStart = position;
    }

    private void matchLine() {
        if (line.length() > 0) {
            for (int i = 0; i < rules.regexes().size(); i++) {
                Detector detector = rules.regexes().get(i);
                Matcher m = detector.pattern().matcher(line);
                int rule = rules.regexRules()[i];
                while (m.find()) {
                    if (!detector.valid().test(m.group())) {
                        continue;
                    }
                    counts[rule]++;
                    if (firstMatch[rule] == null) {
                        firstMatch[rule] = m.group();
                    }
                }
            }
            line.setLength(0);
        }
    }

    @Override
    public FilterVerdict finish() {
        endText();
        if (attachments != null) {
            attachments.discardArchive();
        }
        Rule decisive = null;
        List<String> tags = new ArrayList<>();
        StringBuilder reason = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            Rule rule = rules.rules().get(i);
            if (counts[i] < rule.threshold()) {
                continue;
            }
            if (rule.action() == Rule.Action.TAG) {
                tags.add("line " + rule.line());
            } else if (decisive == null || rule.action().compareTo(decisive.action()) > 0) {
                decisive = rule;
                reason.setLength(0);
                reason.append(rule.describe())
                        .append(" matched ")
                        .append(counts[i])
                        .append(" time(s), first \"")
                        .append(firstMatch[i])
                        .append('"');
            }
        }
        if (decisive == null) {
            return tags.isEmpty()
                    ? FilterVerdict.accept()
                    : FilterVerdict.accept().withHeader(settings.tagHeader(), String.join(", ", tags));
        }
        String why = reason.toString();
        String reply = settings.refusalText() + " (rule at line " + decisive.line() + ")";
        return switch (decisive.action()) {
            case REJECT -> FilterVerdict.reject(550, "5.7.1", reply).withReason(why);
            case DEFER -> FilterVerdict.defer(451, "4.7.1", reply).withReason(why);
            default -> FilterVerdict.quarantine(why);
        };
    }
}
