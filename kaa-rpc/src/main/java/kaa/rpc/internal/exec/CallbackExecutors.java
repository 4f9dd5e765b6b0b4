package kaa.rpc.internal.exec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import kaa.rpc.internal.log.PeerLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The executors that run user code: exposed methods, future dependents, signal callbacks. */
public final class CallbackExecutors {

    private static final Logger log = LoggerFactory.getLogger(CallbackExecutors.class);
    private static final PeerLog DROPPED = PeerLog.warn(CallbackExecutors.class, "callbacks dropped");

    private CallbackExecutors() {
    }

    private static final class Holder {
        static final Executor DEFAULT = create();
    }

    /**
     * The default: a virtual thread per task on Java 21 and later (cheap, and
     * fine for callees that block); otherwise an {@link ElasticExecutor}.
     */
    public static Executor defaultExecutor() {
        return Holder.DEFAULT;
    }

    private static Executor create() {
        try {
            return (ExecutorService) MethodHandles.publicLookup()
                    .findStatic(java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor",
                            MethodType.methodType(ExecutorService.class))
                    .invoke();
        } catch (Throwable noVirtualThreads) {
            return new ElasticExecutor(Math.max(2, Runtime.getRuntime().availableProcessors()), "kaa-rpc-worker-");
        }
    }

    /**
     * A task that must hear of it if a serial executor drops it unrun (its
     * delegate refused twice): what was to follow it still runs.
     */
    public interface Droppable extends Runnable {
        void dropped();
    }

    /** Runs tasks one at a time, in order, on {@code delegate}: for signals, whose order matters. */
    public static Executor serial(Executor delegate) {
        return new Serial(delegate);
    }

    private static final class Serial implements Executor {
        private final Executor delegate;
        /**
         * Its monitor guards itself and {@link #running}; callers on any thread take it briefly. No task
         * runs under it, and the delegate is handed the drain outside it (a delegate may run it inline).
         */
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        /** A drain is running or handed to the delegate: it will take what is queued. */
        private boolean running;

        Serial(Executor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable task) {
            synchronized (tasks) {
                tasks.add(task);
                if (running) {
                    return;
                }
                running = true;
            }
            try {
                delegate.execute(this::drain);
            } catch (RuntimeException | Error rejected) { // refused, or no thread could be started for it
                synchronized (tasks) {
                    tasks.remove(task); // this task is refused: its caller hears so
                    if (tasks.isEmpty()) {
                        running = false;
                        throw rejected;
                    }
                }
                // tasks queued meanwhile trusted the drain this one was to start: try once more for them, and if
                // the delegate still refuses, drop them with a word, rather than leave them queued with no drain
                try {
                    delegate.execute(this::drain);
                } catch (RuntimeException | Error again) {
                    List<Runnable> others;
                    synchronized (tasks) {
                        others = new ArrayList<>(tasks);
                        tasks.clear();
                        running = false;
                    }
                    DROPPED.log("{} queued callbacks dropped: the executor refused them ({})", others.size(), again);
                    for (Runnable r : others) {
                        if (r instanceof Droppable) {
                            try {
                                ((Droppable) r).dropped();
                            } catch (RuntimeException | Error e) {
                                DROPPED.log("after a dropped callback: {}", e);
                            }
                        }
                    }
                }
                throw rejected;
            }
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (tasks) {
                    next = tasks.poll();
                    if (next == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException | Error e) {
                    log.warn("callback failed", e);
                }
                Thread.interrupted(); // an interrupt a callback left must not reach the next one
            }
        }
    }
}
