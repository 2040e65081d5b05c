package org.mailroom.bench.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Counts the megabytes (10^6 octets) a streaming benchmark moved; JMH reports the count per
 * second of the benchmark's time unit, so with {@code @OutputTimeUnit(SECONDS)} the
 * {@code megabytes} row of the results is MB/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Megabytes {

    /** Megabytes moved so far in this iteration (JMH resets the counter before each). */
    public double megabytes;

    public void add(long octets) {
        megabytes += octets / 1e6;
    }
}
