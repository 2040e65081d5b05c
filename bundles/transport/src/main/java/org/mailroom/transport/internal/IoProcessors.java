package org.mailroom.transport.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * The listener's I/O threads: a fixed set of Mina processors, a session always on the same one.
 *
 * <p>Unlike Mina's own pool, a read suspended or resumed from a worker thread is applied by the
 * session's I/O thread, which is woken for it. Mina's pool changes the selection key from the
 * calling thread without waking the selector, so a resume from a worker took effect only when the
 * selector's one-second poll ended (a large upload on a busy server crawled at 64 KB per
 * second), and its read-modify-write of the key's interest could race the I/O thread's own.
 */
final class IoProcessors implements IoProcessor<NioSession> {

    private final ExecutorService threads;
    private final NioProcessor[] processors;
    private volatile boolean disposing;
    private volatile boolean disposed;

    IoProcessors(int count, ThreadFactory factory) {
        this.threads = Executors.newCachedThreadPool(factory);
        this.processors = new NioProcessor[count];
        for (int i = 0; i < count; i++) {
            processors[i] = new NioProcessor(threads);
        }
    }

    private NioProcessor of(NioSession session) {
        return processors[(int) Math.floorMod(session.getId(), (long) processors.length)];
    }

    @Override
    public void add(NioSession session) {
        of(session).add(session);
    }

    @Override
    public void flush(NioSession session) {
        of(session).flush(session);
    }

    @Override
    public void write(NioSession session, WriteRequest request) {
        of(session).write(session, request);
    }

    @Override
    public void updateTrafficControl(NioSession session) {
        of(session).updateTrafficMask(session);
    }

    @Override
    public void remove(NioSession session) {
        of(session).remove(session);
    }

    @Override
    public boolean isDisposing() {
        return disposing;
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    @Override
    public void dispose() {
        if (disposing) {
            return;
        }
        disposing = true;
        for (NioProcessor processor : processors) {
            processor.dispose();
        }
        MinaListener.stop(threads);
        disposed = true;
    }
}
