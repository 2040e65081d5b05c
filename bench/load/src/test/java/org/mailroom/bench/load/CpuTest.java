package org.mailroom.bench.load;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;
import org.junit.Test;

/** The /proc sums; robust on a busy shared machine: they compare ticks, not wall time. */
public class CpuTest {
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Two busy children under one shell: the tree sum includes both children's own ticks. */
    @Test
    public void treeSumCountsLiveChildren() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "sh -c 'while :; do :; done' & sh -c 'while :; do :; done' & wait")
                .start();
        try {
            Cpu cpu = new Cpu(p.pid());
            long deadline = System.currentTimeMillis() + 15_000;
            List<Long> tree = Cpu.tree(p.pid());
            while (tree.size() < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
                tree = Cpu.tree(p.pid());
            }
            assertEquals(3, tree.size());
            long children0 = Cpu.processTicks(tree.get(1), false) + Cpu.processTicks(tree.get(2), false);
            Cpu.Sample a = cpu.sample();
            long children;
            do {
                Thread.sleep(50);
                children = Cpu.processTicks(tree.get(1), false) + Cpu.processTicks(tree.get(2), false);
            } while (children < 20 && System.currentTimeMillis() < deadline);
            assertTrue("the busy children got " + children + " ticks", children >= 20);
            Cpu.Sample b = cpu.sample();
            assertTrue("tree " + b.serverTicks + " < children " + children, b.serverTicks >= children);
            Cpu.Delta d = new Cpu.Delta(a, b, true);
            // the children's own ticks (read before the second sample) are all inside the sum
            assertTrue(
                    "tree delta " + d.server + " s, children's " + (children - children0),
                    Math.round(d.server * Cpu.TICKS_PER_SECOND) >= children - children0 - 2);
            assertTrue(d.server <= d.wall * Runtime.getRuntime().availableProcessors() + 0.1);
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
                        "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done' & echo $!; wait; echo done;"
                                + " exec sleep 30")
                .start();
        try {
            Cpu cpu = new Cpu(p.pid());
            Cpu.Sample a = cpu.sample();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
            long child = Long.parseLong(r.readLine().trim());
            long last = 0;
            while (true) {
                long t = Cpu.processTicks(child, true);
                if (t < 0) {
                    break;
                }
                last = Math.max(last, t);
                Thread.sleep(5);
            }
            assertEquals("done", r.readLine());
            assertTrue("the child ran " + last + " ticks", last > 0);
            List<Long> tree = Cpu.tree(p.pid());
            assertEquals("only the parent (now sleep) is left: " + tree, 1, tree.size());
            // the child is gone; its ticks (it may have started before sample a) are in the
            // parent's cutime + cstime, and so in the tree's sum
            long reaped = Cpu.processTicks(p.pid(), true) - Cpu.processTicks(p.pid(), false);
            assertTrue("parent's cutime+cstime " + reaped + " < child's " + last, reaped >= last);
            Cpu.Sample b = cpu.sample();
            assertTrue(b.serverTicks >= last);
            Cpu.Delta d = new Cpu.Delta(a, b, true);
            assertTrue("tree delta " + d.server, d.server > 0);
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
