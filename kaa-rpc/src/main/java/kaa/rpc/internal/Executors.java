package kaa.rpc.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The executors that run user code: exposed methods, future dependents, signal callbacks. */
public final class Executors {

    /** Threads of the fallback pool used where the JVM has no virtual threads. */
    static final int POOL_THREADS = 64;

    private Executors() {
    }

    private static final class Holder {
        static final Executor DEFAULT = create();
    }

    /**
     * The default: a virtual thread per task on Java 21 and later (cheap, and
     * fine for callees that block); otherwise a pool of {@value #POOL_THREADS}
     * daemon threads that time out when idle.
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
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "kaa-rpc-worker-" + count.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }

    /** Runs tasks one at a time, in order, on {@code delegate}: for signals, whose order matters. */
    public static Executor serial(Executor delegate) {
        return new Serial(delegate);
    }

    private static final class Serial implements Executor {
        private final Executor delegate;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
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
            delegate.execute(this::drain);
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
                next.run();
            }
        }
    }
}
