package org.mailroom.testing;

import java.lang.management.ManagementFactory;

/** The heap in use, for tests that check a server's memory stays bounded. */
public final class Heap {

    private Heap() {}

    /** Octets of heap in use after a few garbage collections (an estimate: the JVM may ignore the request). */
    public static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
