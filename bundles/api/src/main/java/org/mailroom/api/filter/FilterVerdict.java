package org.mailroom.api.filter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one filter decides about a message: an {@link Action} and, for an accepted message,
 * changes to its header. Immutable; the {@code with...} methods return a new verdict.
 */
public final class FilterVerdict {

    /** The actions, from the least to the most severe (the combination rule's order). */
    public enum Action {
        /** Deliver it (with the header changes, if any). */
        ACCEPT,
        /** Hold it in the quarantine instead of the mailbox. */
        QUARANTINE,
        /** Not now: the sender (or the spool) tries again later. A temporary, 4xx answer. */
        DEFER,
        /** Never: the sender gets the reply (or, for mail already accepted, a bounce). A 5xx answer. */
        REJECT
    }

    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final FilterVerdict ACCEPTED = new FilterVerdict(Action.ACCEPT, null, "", List.of());

    private final Action action;
    private final String reply;
    private final String reason;
    private final List<HeaderChange> headerChanges;
    private final List<MessageRewrite> rewrites;

    private FilterVerdict(Action action, String reply, String reason, List<HeaderChange> headerChanges) {
        this(action, reply, reason, headerChanges, List.of());
    }

    private FilterVerdict(
            Action action,
            String reply,
            String reason,
            List<HeaderChange> headerChanges,
            List<MessageRewrite> rewrites) {
        this.action = action;
        this.reply = reply;
        this.reason = reason;
        this.headerChanges = headerChanges;
        this.rewrites = rewrites;
    }

    public static FilterVerdict accept() {
        return ACCEPTED;
    }

    /** Rejects with {@code 550 5.7.1} and the text. */
    public static FilterVerdict reject(String text) {
        return reject(550, "5.7.1", text);
    }

    /**
     * Rejects with the reply the sender gets.
     *
     * @param code a 5xx reply code
     * @param status the RFC 3463 enhanced status code, {@code 5.x.y}
     * @param text the reply text (one line; characters outside printable ASCII become {@code ?})
     */
    public static FilterVerdict reject(int code, String status, String text) {
        return new FilterVerdict(Action.REJECT, reply(5, code, status, text), oneLine(text), List.of());
    }

    /** Defers with {@code 451 4.7.1} and the text. */
    public static FilterVerdict defer(String text) {
        return defer(451, "4.7.1", text);
    }

    /** Defers with the reply the sender gets: a 4xx code and a {@code 4.x.y} status. */
    public static FilterVerdict defer(int code, String status, String text) {
        return new FilterVerdict(Action.DEFER, reply(4, code, status, text), oneLine(text), List.of());
    }

    /** Holds the message in the quarantine; the reason is kept with it. */
    public static FilterVerdict quarantine(String reason) {
        return new FilterVerdict(Action.QUARANTINE, null, oneLine(reason), List.of());
    }

    /**
     * This verdict with another reason: what the logs and the quarantine say, where the reply (a
     * text for the sender, who should not learn which word or pattern matched) says less.
     */
    public FilterVerdict withReason(String reason) {
        return new FilterVerdict(action, reply, oneLine(reason), headerChanges, rewrites);
    }

    /** This verdict with a header field added on top of the message when it is delivered. */
    public FilterVerdict withHeader(String name, String value) {
        return with(new HeaderChange(true, name, value));
    }

    /** This verdict with every header field of this name removed when the message is delivered. */
    public FilterVerdict withoutHeader(String name) {
        return with(new HeaderChange(false, name, ""));
    }

    /**
     * This verdict with a rewrite of the message (a footer, a changed part) applied when it is
     * delivered, after the header changes and after the rewrites of filters earlier in the chain.
     */
    public FilterVerdict withRewrite(MessageRewrite rewrite) {
        Objects.requireNonNull(rewrite, "rewrite");
        List<MessageRewrite> next = new ArrayList<>(rewrites);
        next.add(rewrite);
        return new FilterVerdict(action, reply, reason, headerChanges, Collections.unmodifiableList(next));
    }

    private FilterVerdict with(HeaderChange change) {
        List<HeaderChange> changes = new ArrayList<>(headerChanges);
        changes.add(change);
        return new FilterVerdict(action, reply, reason, Collections.unmodifiableList(changes), rewrites);
    }

    public Action action() {
        return action;
    }

    /** For REJECT and DEFER, the reply line for the sender: code, status and text; else null. */
    public String reply() {
        return reply;
    }

    /** Why (for logs and the quarantine); empty for a plain accept. */
    public String reason() {
        return reason;
    }

    /** The header changes, in the order they were asked for. */
    public List<HeaderChange> headerChanges() {
        return headerChanges;
    }

    /** The rewrites of the message, in the order they were asked for. */
    public List<MessageRewrite> rewrites() {
        return rewrites;
    }

    @Override
    public String toString() {
        return action
                + (reply != null ? " " + reply : reason.isEmpty() ? "" : " (" + reason + ")")
                + (headerChanges.isEmpty() ? "" : " " + headerChanges)
                + (rewrites.isEmpty() ? "" : " " + rewrites.size() + " rewrite(s)");
    }

    private static String reply(int kind, int code, String status, String text) {
        Objects.requireNonNull(status, "status");
        if (code / 100 != kind || code < 0) {
            throw new IllegalArgumentException("reply code " + code + " is not " + kind + "xx");
        }
        if (!STATUS.matcher(status).matches() || status.charAt(0) - '0' != kind) {
            throw new IllegalArgumentException("enhanced status " + status + " is not " + kind + ".x.y");
        }
        return code + " " + status + " " + clean(text);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replace('\r', ' ').replace('\n', ' ').strip();
    }

    /** Printable ASCII only: a reply goes to SMTP clients that may know nothing else. */
    private static String clean(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c == '\r' || c == '\n' || c == '\t' ? ' ' : c < ' ' || c >= 127 ? '?' : c);
        }
        return out.toString().strip();
    }
}
