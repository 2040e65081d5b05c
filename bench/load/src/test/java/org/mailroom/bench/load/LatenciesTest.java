package org.mailroom.bench.load;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class LatenciesTest {
    @Test
    public void nearestRank() {
        Latencies l = new Latencies();
        for (int i = 100; i >= 1; i--) {
            l.add(i * 1_000_000L); // 1..100 ms, added out of order
        }
        assertEquals(50.0, l.percentileMs(50), 0);
        assertEquals(90.0, l.percentileMs(90), 0);
        assertEquals(99.0, l.percentileMs(99), 0);
        assertEquals(100.0, l.percentileMs(100), 0);
        assertEquals(1.0, l.percentileMs(0), 0);
        assertEquals(100.0, l.percentileMs(99.9), 0);
    }

    @Test
    public void smallAndEmpty() {
        Latencies l = new Latencies();
        assertTrue(Double.isNaN(l.percentileMs(50)));
        l.add(7_000_000);
        assertEquals(7.0, l.percentileMs(99), 0);
        l.add(3_000_000);
        assertEquals(3.0, l.percentileMs(50), 0);
        assertEquals(7.0, l.percentileMs(51), 0);
        Latencies m = new Latencies();
        for (int i = 0; i < 5000; i++) {
            m.add(i);
        }
        m.addAll(l);
        assertEquals(5002, m.size());
        assertEquals(4951, Latencies.percentile(m.sorted(), 99), 0); // rank ceil(0.99 * 5002) = 4952
    }
}
