package kaa.rpc.internal.exec;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.internal.log.PeerLog;

/**
 * Which threads are the library's I/O threads: the event loops make theirs
 * with {@link #factory()}, and any layer can ask {@link #isIoThread()} (the
 * futures refuse a blocking wait there) without knowing about sockets. An I/O
 * thread also holds the work a read sets off for the executor until the read
 * is done ({@link #holdUntilDone}, {@link #handedOnAfterIo}); that state is
 * the thread's own, and only it touches it.
 */
public final class IoThreads {

    private static final PeerLog REFUSED = PeerLog.warn(IoThreads.class, "callback refused");

    private IoThreads() {
    }

    /** Makes the event loops' threads: daemons (they never keep a JVM alive), named kaa-rpc-io-N. */
    public static ThreadFactory factory() {
        return new IoThreadFactory();
    }

    /** Whether the calling thread is one of the I/O threads. */
    public static boolean isIoThread() {
        return Thread.currentThread() instanceof IoThread;
    }

    /**
     * Refuses, on an I/O thread, a wait that may need that very thread to end
     * (an answer it would read, an emission it would make, a socket it would
     * close).
     */
    public static void refuseBlocking(String what) {
        if (isIoThread()) {
            throw new IllegalStateException(what + " on a kaa-rpc I/O thread (" + Thread.currentThread().getName()
                    + ") would deadlock: what it waits for may need this very thread; chain a future "
                    + "(thenAccept, whenComplete, ...) instead, or do it from another thread");
        }
    }

    /**
     * {@code delegate}, except that a task given to it on an I/O thread that
     * {@linkplain #holdUntilDone holds} is held back, and handed to
     * {@code delegate} after that thread's current work, with the tasks held
     * with it, in order. The answers of one read then set off their
     * callbacks together: a pool wakes a thread or two for all of them, not
     * one per answer (each wake-up a system call), and a caller waiting for
     * a window of calls to free up takes many places at a time.
     */
    public static Executor handedOnAfterIo(Executor delegate) {
        return new AfterIo(delegate);
    }

    /**
     * Holds the tasks for {@link #handedOnAfterIo} executors that this I/O
     * thread gives from now on, until {@code loop} (this thread's event loop)
     * runs the task that hands them on: after the reads and tasks it is
     * running now. Nothing off an I/O thread, or if it holds already.
     */
    public static void holdUntilDone(Executor loop) {
        if (Thread.currentThread() instanceof IoThread t && !t.holding) {
            t.holding = true;
            boolean accepted = false;
            try {
                loop.execute(t::handOn); // a loop may run it inline: holding is set before
                accepted = true;
            } finally {
                if (!accepted) {
                    t.holding = false; // refused (the loop shuts down): nothing is held
                }
            }
        }
    }

    /**
     * A task that must hear of it when its executor refuses it after it was
     * held: handed on later, the refusal reaches no caller who could act on
     * it (a future whose conversion is refused must still be settled).
     */
    public interface Refusable extends Runnable {
        void refused(RuntimeException why);
    }

    private static final class AfterIo implements Executor {
        private final Executor delegate;

        AfterIo(Executor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable task) {
            if (Thread.currentThread() instanceof IoThread t && t.holding) {
                t.held.add(delegate);
                t.held.add(task);
            } else {
                delegate.execute(task);
            }
        }
    }

    private static void refused(Runnable task, RuntimeException e) {
        try {
            if (task instanceof Refusable r) {
                r.refused(e);
                return;
            }
        } catch (RuntimeException failed) { // the others held with it still go
            REFUSED.log("a refused task failed to hear of it ({})", failed.toString());
            return;
        }
        REFUSED.log("the callback executor refused a task ({}); it does not run", e.toString());
    }

    private static final class IoThread extends FastThreadLocalThread {
        /** Whether tasks are held (see holdUntilDone); confined to this thread, as are the lists. */
        private boolean holding;
        /** Executor and task, pairwise, in the order given; the spare is the next (null while one is handed on). */
        private ArrayList<Object> held = new ArrayList<>();
        private ArrayList<Object> spare = new ArrayList<>();

        IoThread(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }

        /**
         * Hands the held tasks on, in order. A delegate may run one inline: it
         * gives its own tasks at once. Consecutive tasks for the elastic pool
         * go in one batch, for which it wakes one worker.
         */
        void handOn() {
            holding = false;
            ArrayList<Object> batch = held;
            held = spare != null ? spare : new ArrayList<>();
            spare = null; // a hand-on run inside this one (a loop that runs it inline) takes a list of its own
            for (int i = 0; i < batch.size(); ) {
                Executor to = (Executor) batch.get(i);
                int end = i + 2;
                if (to instanceof ElasticExecutor) {
                    while (end < batch.size() && batch.get(end) == to) {
                        end += 2;
                    }
                }
                if (end - i > 2) {
                    List<Runnable> run = new ArrayList<>((end - i) / 2);
                    for (int k = i + 1; k < end; k += 2) {
                        run.add((Runnable) batch.get(k));
                    }
                    RejectedExecutionException[] why = new RejectedExecutionException[1];
                    for (Runnable task : ((ElasticExecutor) to).executeAll(run, why)) {
                        refused(task, why[0]);
                    }
                } else {
                    Runnable task = (Runnable) batch.get(i + 1);
                    try {
                        to.execute(task);
                    } catch (RuntimeException e) { // as if it had refused when given: the others still go
                        refused(task, e);
                    }
                }
                i = end;
            }
            int size = batch.size();
            batch.clear();
            if (spare == null && size <= 4096) { // a large burst's list is not kept for ever
                spare = batch;
            }
        }
    }

    private static final class IoThreadFactory implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return new IoThread(r, "kaa-rpc-io-" + count.incrementAndGet());
        }
    }
}
