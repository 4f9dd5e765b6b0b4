package kaa.rpc.internal.dispatch;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.ReadControl;

/**
 * The peer's calls on one connection: how many run (they fill at most
 * {@code maxConcurrentCalls} slots, with the calls of the source's lost
 * connections that still run), and a {@link Running} handle on each that can
 * be let go. One per connection, made by {@link IncomingCalls#attach}; the
 * session keeps it beside that connection's {@link FrameSink}.
 *
 * <p>Lock-free: the count is atomic and the handles a concurrent map; each
 * handle's own monitor guards its fields. Calls start on the I/O thread and
 * end on any thread.
 */
public final class RunningCalls {

    /** Added to {@link #running} when the connection is lost: later ends are the source's. */
    public static final int LOST = 1 << 30;

    private final AtomicInteger running = new AtomicInteger();
    private final ConcurrentHashMap<Integer, Running> handles = new ConcurrentHashMap<>();
    private final CallSource source;
    private final ReadControl reads;
    private final int maxConcurrentCalls;
    private final Executor executor;

    RunningCalls(CallSource source, ReadControl reads, int maxConcurrentCalls, Executor executor) {
        this.source = source;
        this.reads = reads;
        this.maxConcurrentCalls = maxConcurrentCalls;
        this.executor = executor;
    }

    /** How many of the peer's calls may run at once on this connection. */
    public int limit() {
        return maxConcurrentCalls;
    }

    /** Whether as many of the peer's calls run as allowed: no further frame is handed on. */
    public boolean full() {
        return running.get() + source.orphans() >= maxConcurrentCalls;
    }

    /** A call of the peer's takes a slot; reading pauses if that fills the last one. On the I/O thread. */
    void started() {
        if (running.incrementAndGet() + source.orphans() >= maxConcurrentCalls) {
            reads.reconsider(ReadControl.Reason.BUSY);
        }
    }

    /** A handle on call {@code seq}, which a cancel or the loss of the connection reaches from now on. */
    Running track(int seq, boolean interruptible) {
        Running r = new Running(interruptible, executor);
        handles.put(seq, r);
        return r;
    }

    /** The work of call {@code seq} has ended (it is answered, or about to be, or let go): its slot is free. */
    void done(int seq, Running r) {
        if (r != null) {
            handles.remove(seq, r);
        }
        int before = running.getAndDecrement();
        if (before >= LOST) {
            source.orphanDone(); // a call that outlived its connection: the source's slot is free again
        } else if (before + source.orphans() >= maxConcurrentCalls) {
            reads.reconsider(ReadControl.Reason.BUSY);
        }
    }

    /** The peer's caller no longer wants call {@code seq} (a Java peer's CNCL): it is let go, if it runs. */
    public void cancel(int seq) {
        Running r = handles.get(seq);
        if (r != null) {
            r.cancel();
        }
    }

    /**
     * The connection is gone: the calls still running become the source's,
     * and each is let go (see {@link Running#cancel}). Once only.
     */
    public void lost() {
        int now = running.get();
        while (now < LOST && !running.compareAndSet(now, now + LOST)) {
            now = running.get();
        }
        if (now >= LOST) {
            return;
        }
        source.lost(reads, now);
        handles.values().forEach(Running::cancel);
    }

    /** How many run now, for tests ({@link #LOST} added once the connection is gone). */
    public int count() {
        return running.get();
    }

    /**
     * A call of the peer's, from its dispatch to the end of its work, so
     * that the caller's cancel (a Java peer's CNCL) or the loss of its
     * connection reaches it. Either lets the call go: nobody reads its answer
     * any more, so none is sent, and a call not started is skipped. The work
     * the method started is stopped only if the method asked for it
     * ({@code @Expose(interruptible = true)}): its thread is interrupted, or
     * the future it returned is cancelled. Without that, an interrupt would
     * close an interruptible channel the service may share with its other
     * callers, and a future it returned may be the service's own, shared
     * with other callers (a cache's). Either way the call holds its slot
     * until its work ends: that is when its thread and memory are free.
     * Never interrupts an I/O thread.
     */
    static final class Running {
        private final boolean interruptible;
        private final Executor executor;
        // guarded by this handle's monitor, under which none of this library's locks is taken: the interrupt
        // is made under it (so that stop() clears one that came late; an interrupt of a thread blocked on an
        // interruptible channel closes that channel, under the channel's own locks); a returned future is
        // cancelled outside it, on the executor
        private Thread thread;
        private CompletionStage<?> stage;
        private boolean cancelled;
        private boolean interrupted;

        Running(boolean interruptible, Executor executor) {
            this.interruptible = interruptible;
            this.executor = executor;
        }

        /** The call starts on {@code t} (null for an I/O thread); false if it was let go already. */
        synchronized boolean start(Thread t) {
            thread = t;
            return !cancelled;
        }

        /** The method returned: no interrupt may reach this thread any more, and one that did is cleared. */
        synchronized void stop() {
            thread = null;
            if (interrupted) {
                interrupted = false;
                Thread.interrupted();
            }
        }

        synchronized boolean isCancelled() {
            return cancelled;
        }

        /** The method returned a future, which the call now waits for. */
        void stage(CompletionStage<?> s) {
            boolean cancelNow;
            synchronized (this) {
                stage = s;
                cancelNow = cancelled && interruptible;
            }
            if (cancelNow) {
                cancelStage(s);
            }
        }

        void cancel() {
            CompletionStage<?> s;
            synchronized (this) {
                cancelled = true;
                if (!interruptible) {
                    return;
                }
                if (thread != null) {
                    thread.interrupt();
                    interrupted = true;
                }
                s = stage;
            }
            if (s != null) {
                cancelStage(s);
            }
        }

        /** On the executor: cancelling runs the future's dependents, which may be user code. */
        private void cancelStage(CompletionStage<?> s) {
            try {
                executor.execute(() -> {
                    try {
                        s.toCompletableFuture().cancel(true);
                    } catch (UnsupportedOperationException notAFuture) {
                        // a stage that cannot be cancelled runs on; its answer is not sent
                    }
                });
            } catch (RuntimeException | Error rejected) {
                // the executor is shutting down, or no thread could be started: nothing to cancel on
            }
        }
    }
}
