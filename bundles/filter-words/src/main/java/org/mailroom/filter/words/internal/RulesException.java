package org.mailroom.filter.words.internal;

import java.util.List;

/** A rules file that does not parse: each problem as {@code file:line: reason}. */
final class RulesException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    RulesException(List<String> problems) {
        super(problems.size() + " bad line(s), the first: " + problems.get(0));
        this.problems = List.copyOf(problems);
    }

    List<String> problems() {
        return problems;
    }
}
