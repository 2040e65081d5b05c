package org.mailroom.bench.load;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class CpuTest {
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Two busy children under one shell: the tree sum sees both, the shell itself is idle. */
    @Test
    public void treeSumCountsLiveChildren() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "sh -c 'while :; do :; done' & sh -c 'while :; do :; done' & wait")
                .start();
        try {
            Cpu cpu = new Cpu(p.pid());
            long deadline = System.currentTimeMillis() + 5000;
            while (Cpu.tree(p.pid()).size() < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(3, Cpu.tree(p.pid()).size());
            Cpu.Sample a = cpu.sample();
            Thread.sleep(1000);
            Cpu.Delta d = cpu.since(a);
            // two busy loops on a shared 2-core machine: well above what one idle shell could use
            assertTrue("server cpu " + d.server, d.server >= 0.4);
            assertTrue(d.server <= d.wall * Runtime.getRuntime().availableProcessors() + 0.1);
            assertTrue(d.wall >= 0.99);
            assertEquals(3, d.serverProcesses);
        } finally {
            kill(p);
        }
    }

    /** A busy child that exited and was reaped still counts, through the parent's cutime. */
    @Test
    public void reapedChildrenCountThroughCutime() throws Exception {
        Process p = new ProcessBuilder(
                        "sh",
                        "-c",
                        "sh -c 'end=$(($(date +%s%N)+500000000)); while [ $(date +%s%N) -lt $end ]; do :; done'; echo done; exec sleep 30")
                .start();
        try {
            Cpu cpu = new Cpu(p.pid());
            Cpu.Sample a = cpu.sample();
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertEquals("done", line);
            Thread.sleep(100);
            List<Long> tree = Cpu.tree(p.pid());
            assertEquals("only the parent (now sleep) is left: " + tree, 1, tree.size());
            Cpu.Delta d = cpu.since(a);
            assertTrue("cpu of the reaped child " + d.server, d.server >= 0.2);
            assertTrue(Cpu.processTicks(p.pid(), true) > Cpu.processTicks(p.pid(), false));
        } finally {
            kill(p);
        }
    }

    @Test
    public void selfAndMachine() {
        assertTrue(Cpu.processTicks(ProcessHandle.current().pid(), false) > 0);
        assertTrue(Cpu.machineBusyTicks() > 0);
        assertTrue(Cpu.tree(Long.MAX_VALUE / 2).isEmpty());
        Cpu noServer = new Cpu(0);
        Cpu.Delta d = noServer.since(noServer.sample());
        assertTrue(d.line().contains("server n/a"));
    }
}
