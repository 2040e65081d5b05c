package org.mailroom.bench.load;

import java.util.Arrays;

/** A growable list of latencies in nanoseconds (one per thread, merged at the end). */
final class Latencies {
    private long[] values = new long[1024];
    private int size;

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    synchronized void addAll(Latencies other) {
        for (int i = 0; i < other.size; i++) {
            add(other.values[i]);
        }
    }

    int size() {
        return size;
    }

    long[] sorted() {
        long[] copy = Arrays.copyOf(values, size);
        Arrays.sort(copy);
        return copy;
    }

    /** Nearest-rank percentile in milliseconds (the smallest value with at least p% at or below it); NaN when empty. */
    double percentileMs(double p) {
        return percentile(sorted(), p) / 1e6;
    }

    /** Nearest-rank percentile of sorted values: element ceil(p/100 * n) (1-based), clamped to [1, n]. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (p <= 0) {
            return sorted[0];
        }
        // p * n / 100 rounded up; the epsilon keeps 99% of 100 at rank 99 despite binary fractions
        int rank = (int) Math.ceil(p * sorted.length / 100.0 - 1e-9);
        rank = Math.max(1, Math.min(sorted.length, rank));
        return sorted[rank - 1];
    }
}
