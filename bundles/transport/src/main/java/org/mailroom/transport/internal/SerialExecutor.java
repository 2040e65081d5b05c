package org.mailroom.transport.internal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool (or, for {@link #executeHere},
 * on the caller's thread): one per connection. After the last queued task of a run it calls the
 * batch hook (the connection flushes its replies there).
 */
final class SerialExecutor implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor pool;
    private final Runnable afterBatch;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;
    private volatile Thread runner;

    SerialExecutor(Executor pool, Runnable afterBatch) {
        this.pool = pool;
        this.afterBatch = afterBatch;
    }

    @Override
    public void execute(Runnable task) {
        if (!queueAndClaim(task)) {
            return;
        }
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (tasks) {
                tasks.clear();
                running = false;
            }
        }
    }

    /**
     * Runs the task on the calling thread when nothing of this executor runs or waits (the
     * queue is drained here, batch hook included), else queues it behind what does.
     */
    void executeHere(Runnable task) {
        if (queueAndClaim(task)) {
            drain();
        }
    }

    /** Queues the task; true when the caller must start draining (nothing else runs or will). */
    private boolean queueAndClaim(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return false;
            }
            running = true;
            return true;
        }
    }

    /** True when called from a task of this executor. */
    boolean inContext() {
        return runner == Thread.currentThread();
    }

    private void drain() {
        runner = Thread.currentThread();
        try {
            drainTasks();
        } finally {
            runner = null;
        }
    }

    private void drainTasks() {
        while (true) {
            Runnable task;
            synchronized (tasks) {
                task = tasks.poll();
                if (task == null) {
                    running = false;
                    return;
                }
            }
            run(task);
            boolean last;
            synchronized (tasks) {
                last = tasks.isEmpty();
            }
            if (last) {
                run(afterBatch);
            }
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | LinkageError e) {
            LOG.error("Connection task failed", e);
        }
    }
}
