package kaa.rpc.internal;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default executor where there are no virtual threads: a pool of daemon
 * threads with no upper bound, which queues a task for a busy worker instead
 * of waking or starting a thread per task.
 *
 * <p>A burst of tasks (the answers of one read, each completing a call with
 * dependents) then costs one wake-up, not one per task. The pool still grows
 * without a cap, because a callee blocked on a nested call to its caller holds
 * its thread and a fixed cap would let enough of them starve the calls they
 * wait for: a task never waits for a busy worker longer than
 * {@link #STALL_NANOS} without a task finishing; then a thread is added. Up to
 * {@link #base} threads start at once, without that wait. Idle threads end
 * after 30 s.
 */
final class ElasticExecutor implements Executor {

    /** How long queued tasks may see no task finish before another thread is started for them. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Logger log = LoggerFactory.getLogger(ElasticExecutor.class);

    private final int base;
    private final String name;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Parked workers, the most recently parked first (its caches are the warmest). */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean watching = new AtomicBoolean();
    private volatile long lastProgress = System.nanoTime();

    ElasticExecutor(int base, String name) {
        this.base = base;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        tasks.offer(Objects.requireNonNull(task, "task"));
        for (Worker w = idle.pollFirst(); w != null; w = idle.pollFirst()) {
            if (w.wake()) {
                lastProgress = System.nanoTime(); // a worker sets off: the stall clock starts again
                return;
            }
            // it found work (or timed out) on its own meanwhile: try the next one
        }
        if (workers.get() < base || System.nanoTime() - lastProgress > STALL_NANOS) {
            start();
        } else {
            watch(); // every worker is busy: they take it next, unless they stay stuck
        }
    }

    /** Number of threads, for tests. */
    int threads() {
        return workers.get();
    }

    private void start() {
        lastProgress = System.nanoTime();
        workers.incrementAndGet();
        Worker w = new Worker();
        Thread t = new Thread(w::run, name + count.incrementAndGet());
        t.setDaemon(true);
        w.thread = t;
        try {
            t.start();
        } catch (Throwable e) { // out of threads: the workers there are will take the task
            workers.decrementAndGet();
            throw e;
        }
    }

    /** Checks every {@link #STALL_NANOS} while tasks wait, and adds a thread when none finished meanwhile. */
    private void watch() {
        if (watching.compareAndSet(false, true)) {
            EventLoops.group().schedule(this::check, STALL_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        if (!tasks.isEmpty() && System.nanoTime() - lastProgress > STALL_NANOS && idle.isEmpty()) {
            start();
        }
        if (!tasks.isEmpty()) {
            EventLoops.group().schedule(this::check, STALL_NANOS, TimeUnit.NANOSECONDS);
            return;
        }
        watching.set(false);
        if (!tasks.isEmpty()) { // a task came between the look and the reset: keep watching
            watch();
        }
    }

    private final class Worker {
        private static final int BUSY = 0;
        private static final int IDLE = 1;   // listed in idle, parked or about to park
        private static final int WAKING = 2; // taken off the list by execute, to run
        private static final int GONE = 3;   // idle too long: ended

        volatile Thread thread;
        private final AtomicInteger state = new AtomicInteger(BUSY);

        /** Wakes this worker if it is idle; false if it is not (it took work on its own, or ended). */
        boolean wake() {
            if (state.compareAndSet(IDLE, WAKING)) {
                LockSupport.unpark(thread);
                return true;
            }
            return false;
        }

        void run() {
            try {
                while (true) {
                    Runnable task = tasks.poll();
                    if (task == null) {
                        state.set(IDLE);
                        idle.offerFirst(this);
                        // a task offered just before we were listed may have found nobody idle
                        task = tasks.poll();
                        if (task != null && state.compareAndSet(IDLE, BUSY)) {
                            idle.remove(this);
                        } else if (!waitForWork()) {
                            return;
                        }
                        if (task == null) {
                            continue;
                        }
                        // else: a waker chose us while we took the task ourselves; run it, then look again
                    }
                    try {
                        task.run();
                    } catch (RuntimeException | Error e) {
                        log.warn("task failed on {}", Thread.currentThread().getName(), e);
                    }
                    Thread.interrupted(); // an interrupt meant for one task must not reach the next
                    lastProgress = System.nanoTime();
                }
            } finally {
                workers.decrementAndGet();
            }
        }

        /** Parks until woken (true, now busy) or idle for too long (false, now gone and unlisted). */
        private boolean waitForWork() {
            long deadline = System.nanoTime() + IDLE_NANOS;
            while (true) {
                int s = state.get();
                if (s == WAKING) {
                    state.set(BUSY);
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 && state.compareAndSet(IDLE, GONE)) {
                    idle.remove(this);
                    return false;
                }
                LockSupport.parkNanos(this, Math.max(left, 1));
            }
        }
    }
}
