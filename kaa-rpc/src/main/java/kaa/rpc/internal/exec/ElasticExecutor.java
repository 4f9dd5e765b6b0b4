package kaa.rpc.internal.exec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import kaa.rpc.internal.log.PeerLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default executor where there are no virtual threads: a pool of daemon
 * threads that queues a task for a busy worker instead of waking or starting
 * a thread per task, and grows only for workers that are blocked.
 *
 * <p>A burst of tasks (the answers of one read, each completing a call with
 * dependents) then costs one wake-up, not one per task. Up to {@link #base}
 * threads (the cores) start at once, without waiting. Beyond that, the pool
 * must tell busy from blocked: a callee blocked on a nested call to its
 * caller holds its thread, and a fixed pool would let enough of them starve
 * the calls they wait for; but tasks that only compute gain nothing from more
 * threads than cores. So when queued tasks see no task finish for
 * {@link #STALL_NANOS}, the watch looks at what the busy workers are doing,
 * and adds a thread only if fewer than {@link #base} of them are running
 * (the others wait, sleep or are blocked on a lock), up to {@link #max}
 * threads in all. (A worker blocked in a socket read looks as if it runs: a
 * pool of such tasks stays at about the core count, and is slow rather than
 * stuck.) Idle threads end after 30 s.
 */
final class ElasticExecutor implements Executor {

    /** How long queued tasks may see no task finish before the watch considers another thread. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The most threads by default; {@code -Dkaa.rpc.maxPoolThreads=N} changes it. */
    static final int DEFAULT_MAX = Math.max(16, Integer.getInteger("kaa.rpc.maxPoolThreads", 512));
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Logger log = LoggerFactory.getLogger(ElasticExecutor.class);
    private static final PeerLog NO_THREAD = PeerLog.warn(ElasticExecutor.class, "thread start failed");
    private static final PeerLog AT_CAP = PeerLog.warn(ElasticExecutor.class, "pool at its cap");

    private final int base;
    private final int max;
    private final String name;
    private final ThreadFactory factory;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Parked workers, the most recently parked first (its caches are the warmest). */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    /** Every live worker, for the watch to see which are blocked. */
    private final Set<Worker> all = ConcurrentHashMap.newKeySet();
    private final AtomicInteger workers = new AtomicInteger();
    /**
     * Workers running tasks (not idle), and workers woken that have not
     * started yet: a new task wakes nobody while as many run as there are
     * cores, or while a woken one is on its way; that one, finding more
     * tasks, wakes the next. A burst of tasks then costs a wake-up or two
     * (a system call each), not one per task.
     */
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger waking = new AtomicInteger();
    /** Idle workers woken, for tests. */
    private final AtomicLong wakeUps = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean watching = new AtomicBoolean();
    private volatile long lastProgress = System.nanoTime();

    ElasticExecutor(int base, String name) {
        this(base, DEFAULT_MAX, name, Thread::new);
    }

    /**
     * @param base    threads started without waiting, and the most that may be running tasks before
     *                another is added only for blocked ones
     * @param max     the most threads in all
     * @param factory makes the threads (which are then named and made daemons)
     */
    ElasticExecutor(int base, int max, String name, ThreadFactory factory) {
        if (base < 1 || max < base) {
            throw new IllegalArgumentException("need 1 <= base <= max, got " + base + " and " + max);
        }
        this.base = base;
        this.max = max;
        this.name = name;
        this.factory = factory;
    }

    @Override
    public void execute(Runnable task) {
        tasks.offer(Objects.requireNonNull(task, "task"));
        Throwable noThread = signal();
        if (noThread != null) {
            if (tasks.remove(task)) {
                // nobody at all to run it: the caller hears so, rather than the task waiting for ever
                throw new RejectedExecutionException("no thread for the task: " + noThread, noThread);
            }
            watch(); // a worker took it meanwhile
        }
    }

    /**
     * Queues {@code batch}, in order, and wakes at most one worker for all
     * of them (it wakes the next if more wait): the callbacks an I/O thread
     * hands on after a read. Workers that drain tasks faster than a thread
     * gives them one by one would go idle between two, and be woken again.
     * Returns the tasks refused (none unless no thread at all could be
     * started for them), each taken back before any worker ran it, with
     * {@code why} saying so.
     */
    List<Runnable> executeAll(List<Runnable> batch, RejectedExecutionException[] why) {
        for (Runnable task : batch) {
            tasks.offer(Objects.requireNonNull(task, "task"));
        }
        Throwable noThread = batch.isEmpty() ? null : signal();
        if (noThread == null) {
            watch(); // should the one worker woken for them all be stuck on the first
            return List.of();
        }
        List<Runnable> refused = new ArrayList<>();
        for (Runnable task : batch) {
            if (tasks.remove(task)) { // one a worker took meanwhile runs: it is not refused
                refused.add(task);
            }
        }
        why[0] = new RejectedExecutionException("no thread for the tasks: " + noThread, noThread);
        return refused;
    }

    /**
     * Tasks were just queued: wakes an idle worker for them, or starts one,
     * unless a woken worker is on its way or the busy ones take them next
     * (the watch looks after those that stay stuck). A worker that goes idle
     * looks at the queue once more after it is listed: none misses them.
     * Returns why no thread at all can run them, or null.
     */
    private Throwable signal() {
        if (waking.get() > 0 || active.get() >= base) {
            watch();
            return null;
        }
        if (wakeOne()) {
            return null;
        }
        if (workers.get() < base) {
            Throwable failed = start();
            if (failed != null && workers.get() == 0) {
                return failed;
            }
        }
        watch(); // every worker is busy: they take them next, unless they stay stuck
        return null;
    }

    /** How many tasks wait, counted up to {@code most}. */
    private int waiting(int most) {
        int n = 0;
        for (Iterator<Runnable> it = tasks.iterator(); n < most && it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    /** Wakes an idle worker, if there is one. */
    private boolean wakeOne() {
        waking.incrementAndGet(); // before the wake: the worker counts itself out once it runs
        for (Worker w = idle.pollFirst(); w != null; w = idle.pollFirst()) {
            if (w.wake()) {
                lastProgress = System.nanoTime(); // a worker sets off: the stall clock starts again
                wakeUps.incrementAndGet();
                return true;
            }
            // it found work (or timed out) on its own meanwhile: try the next one
        }
        waking.decrementAndGet();
        return false;
    }

    /** Idle workers woken so far, for tests. */
    long wakeUps() {
        return wakeUps.get();
    }

    /** Number of threads, for tests. */
    int threads() {
        return workers.get();
    }

    /** Number of parked workers, for tests. */
    int idleThreads() {
        return idle.size();
    }

    /** Starts a worker; returns null, or why no thread could be started (the pool carries on without). */
    private Throwable start() {
        if (workers.incrementAndGet() > max) {
            workers.decrementAndGet();
            return new RejectedExecutionException("at the cap of " + max + " threads");
        }
        lastProgress = System.nanoTime();
        Worker w = new Worker();
        try {
            Thread t = factory.newThread(w::run);
            t.setName(name + count.incrementAndGet());
            t.setDaemon(true);
            w.thread = t;
            all.add(w);
            t.start();
            return null;
        } catch (RuntimeException | Error e) { // out of threads ("unable to create native thread"), say
            all.remove(w);
            workers.decrementAndGet();
            NO_THREAD.log("cannot start a thread for {}: {}; the {} there are carry on", name, e, workers.get());
            return e;
        }
    }

    /**
     * Whether another thread would help: fewer than {@link #base} busy
     * workers are running (the others are blocked), and the cap allows.
     */
    private boolean blockedWorkersWait() {
        if (workers.get() >= max) {
            AT_CAP.log("{} threads, the cap, are busy or blocked, and tasks wait (-Dkaa.rpc.maxPoolThreads)", max);
            return false;
        }
        int running = 0;
        for (Worker w : all) {
            if (w.isBusy()) {
                Thread t = w.thread;
                if (t != null && t.getState() == Thread.State.RUNNABLE && ++running >= base) {
                    return false; // as many computing as there are cores: another thread would only share them
                }
            }
        }
        return true;
    }

    /**
     * The one thread that times every pool's watch, started when a pool
     * first has tasks waiting: a daemon, so it never keeps a JVM alive.
     */
    private static final class Watch {
        static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kaa-rpc-pool-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks every {@link #STALL_NANOS} while tasks wait, and adds a thread when none finished meanwhile. */
    private void watch() {
        if (watching.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            Watch.TIMER.schedule(this::check, STALL_NANOS, TimeUnit.NANOSECONDS);
        } catch (RuntimeException | Error e) { // the JVM ends: no watch
            watching.set(false);
        }
    }

    private void check() {
        try {
            if (!tasks.isEmpty() && System.nanoTime() - lastProgress > STALL_NANOS) {
                if (!idle.isEmpty()) {
                    // tasks wait while workers idle: those running are blocked (they count as running, so no
                    // task woke these); several at a time, as blocked callbacks tend to come together
                    int wanted = waiting(4 * base);
                    for (int i = 0; i < wanted && wakeOne(); i++) {
                        lastProgress = System.nanoTime();
                    }
                } else if (blockedWorkersWait()) {
                    start();
                }
            }
        } catch (RuntimeException | Error e) {
            log.warn("the watch of {} failed: {}", name, e.toString()); // and goes on watching
        }
        if (!tasks.isEmpty()) {
            schedule();
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

        boolean isBusy() {
            return state.get() == BUSY;
        }

        /** Wakes this worker if it is idle; false if it is not (it took work on its own, or ended). */
        boolean wake() {
            if (state.compareAndSet(IDLE, WAKING)) {
                LockSupport.unpark(thread);
                return true;
            }
            return false;
        }

        void run() {
            active.incrementAndGet();
            try {
                while (true) {
                    Runnable task = tasks.poll();
                    if (task == null) {
                        active.decrementAndGet();
                        state.set(IDLE);
                        idle.offerFirst(this);
                        // a task offered just before we were listed may have found nobody idle
                        task = tasks.poll();
                        if (task != null && state.compareAndSet(IDLE, BUSY)) {
                            idle.remove(this);
                            active.incrementAndGet();
                        } else if (!waitForWork()) {
                            active.incrementAndGet(); // balanced by the finally: it ends, not idle
                            return;
                        }
                        if (task == null) {
                            continue;
                        }
                        // else: a waker chose us while we took the task ourselves; run it, then look again
                    }
                    if (!tasks.isEmpty() && waking.get() == 0 && active.get() < base) {
                        wakeOne(); // more wait: another core can take them
                    }
                    Thread.interrupted(); // a stray interrupt (one that came while idle) is no task's
                    try {
                        task.run();
                    } catch (RuntimeException | Error e) {
                        log.warn("task failed on {}", Thread.currentThread().getName(), e);
                    }
                    Thread.interrupted(); // an interrupt meant for one task must not reach the next
                    lastProgress = System.nanoTime();
                }
            } finally {
                active.decrementAndGet();
                all.remove(this);
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
                    active.incrementAndGet();
                    waking.decrementAndGet();
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 && state.compareAndSet(IDLE, GONE)) {
                    idle.remove(this);
                    return false;
                }
                // an interrupt would make every park return at once: an idle worker has no task to tell
                Thread.interrupted();
                LockSupport.parkNanos(this, Math.max(left, 1));
            }
        }
    }
}
