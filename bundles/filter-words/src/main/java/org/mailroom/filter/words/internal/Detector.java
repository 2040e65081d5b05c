package org.mailroom.filter.words.internal;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A pattern matched line by line over folded text, with a check that a candidate must pass to
 * count: a regex rule's own expression (every match counts), or one of the data-loss detectors,
 * which find numbers by their shape and keep only those whose check digits and prefixes hold.
 *
 * @param pattern what a candidate looks like
 * @param valid whether a candidate counts
 */
record Detector(Pattern pattern, Predicate<String> valid) {

    /** The built-in detectors by rule kind. */
    static final Map<String, Detector> BUILT_IN = Map.of(
            "cn-id",
            new Detector(
                    Pattern.compile(
                            "(?<![0-9a-z])[1-9]\\d{5}(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])"
                                    + "\\d{3}[0-9x](?![0-9a-z])",
                            Pattern.CASE_INSENSITIVE),
                    Detector::isResidentId),
            "bank-card",
            new Detector(Pattern.compile("(?<![0-9])\\d(?:[ -]?\\d){12,18}(?![0-9])"), Detector::isBankCard),
            "cn-mobile",
            new Detector(Pattern.compile("(?<![0-9+])(?:\\+?86[ -]?)?1[3-9]\\d{9}(?![0-9])"), s -> true),
            "email",
            new Detector(
                    Pattern.compile(
                            "(?<![a-z0-9._%+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}",
                            Pattern.CASE_INSENSITIVE),
                    s -> true));

    static Detector regex(Pattern pattern) {
        return new Detector(pattern, s -> true);
    }

    private static final int[] ID_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String ID_CHECK = "10X98765432";

    /**
     * An 18-character PRC resident identity number (GB 11643-1999): a real date of birth not in
     * the future, and the ISO 7064 MOD 11-2 check character.
     */
    static boolean isResidentId(String s) {
        String id = s.toUpperCase(Locale.ROOT);
        try {
            LocalDate born = LocalDate.of(
                    Integer.parseInt(id.substring(6, 10)),
                    Integer.parseInt(id.substring(10, 12)),
                    Integer.parseInt(id.substring(12, 14)));
            if (born.isAfter(LocalDate.now())) {
                return false;
            }
        } catch (DateTimeException | NumberFormatException e) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (id.charAt(i) - '0') * ID_WEIGHTS[i];
        }
        return ID_CHECK.charAt(sum % 11) == id.charAt(17);
    }

    /**
     * A payment card number: 13 to 19 digits (spaces or hyphens between them allowed), the Luhn
     * check, and the length and prefix of a known issuer: China UnionPay (62, 16-19), Visa (4: 13,
     * 16, 19), Mastercard (51-55, 2221-2720: 16), American Express (34, 37: 15), JCB (3528-3589:
     * 16-19), Discover (6011, 644-649, 65: 16-19).
     */
    static boolean isBankCard(String s) {
        String digits = s.replace(" ", "").replace("-", "");
        int n = digits.length();
        if (n < 13 || n > 19 || !luhn(digits)) {
            return false;
        }
        int p2 = Integer.parseInt(digits.substring(0, 2));
        int p3 = Integer.parseInt(digits.substring(0, 3));
        int p4 = Integer.parseInt(digits.substring(0, 4));
        return (p2 == 62 && n >= 16)
                || (digits.charAt(0) == '4' && (n == 13 || n == 16 || n == 19))
                || (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n == 16)
                || ((p2 == 34 || p2 == 37) && n == 15)
                || (p4 >= 3528 && p4 <= 3589 && n >= 16)
                || ((p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65) && n >= 16);
    }

    static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }
}
