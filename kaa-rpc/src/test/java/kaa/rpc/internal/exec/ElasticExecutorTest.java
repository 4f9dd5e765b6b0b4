package kaa.rpc.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

// alone: its computing tasks would take the cores from the tests that measure time-outs
@Isolated
class ElasticExecutorTest {

    /** A task that waits (blocked, not busy) for {@code release}, then counts itself finished. */
    private static Runnable waitsFor(CountDownLatch release, CountDownLatch finished) {
        return () -> {
            try {
                if (release.await(60, TimeUnit.SECONDS)) {
                    finished.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** Grows {@code pool} to {@code n} threads, which then idle: blocked tasks make it grow past its base. */
    private static void growIdle(ElasticExecutor pool, int n) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            pool.execute(waitsFor(release, finished));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pool.threads() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        release.countDown();
        assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();
    }

    /** The task the others wait for. */
    private static Runnable releases(CountDownLatch release, CountDownLatch finished) {
        return () -> {
            release.countDown();
            finished.countDown();
        };
    }

    @Test
    void runsEveryTaskFromManySubmitters() throws Exception {
        ElasticExecutor pool = new ElasticExecutor(2, "test-");
        int submitters = 4;
        int each = 20_000;
        CountDownLatch done = new CountDownLatch(submitters * each);
        AtomicInteger ran = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < submitters; s++) {
            Thread t = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    pool.execute(() -> {
                        ran.incrementAndGet();
                        done.countDown();
                    });
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ran.get()).isEqualTo(submitters * each);
        // quick tasks are queued for the workers there are, not given a thread each
        assertThat(pool.threads()).isLessThan(200);
    }

    @Test
    void blockedWorkersNeverStarveTheTaskTheyWaitFor() throws Exception {
        // every task but the last waits for the last: with a fixed pool this would deadlock
        ElasticExecutor pool = new ElasticExecutor(2, "test-");
        int blocked = 50;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(blocked + 1);
        for (int i = 0; i < blocked; i++) {
            pool.execute(waitsFor(release, finished));
        }
        pool.execute(releases(release, finished));
        assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.threads()).isGreaterThanOrEqualTo(blocked + 1);
    }

    @Test
    void aFailingTaskDoesNotStopTheWorker() throws Exception {
        ElasticExecutor pool = new ElasticExecutor(1, "test-");
        CountDownLatch after = new CountDownLatch(1);
        pool.execute(() -> {
            throw new IllegalStateException("expected in this test");
        });
        pool.execute(after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Computes (spins, never parks) for {@code nanos}: a busy worker, not a blocked one. */
    private static void compute(long nanos) {
        long start = System.nanoTime();
        long x = 0;
        while (System.nanoTime() - start < nanos) {
            for (int i = 0; i < 1_000; i++) {
                x += i ^ x;
            }
        }
        if (x == 42) {
            System.out.print(""); // keeps the loop from being optimised away
        }
    }

    @Test
    void tasksThatOnlyComputeKeepThePoolNearTheCoreCount() throws Exception {
        ElasticExecutor pool = new ElasticExecutor(2, 256, "test-", Thread::new);
        int n = 60;
        CountDownLatch done = new CountDownLatch(n);
        AtomicInteger most = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            pool.execute(() -> {
                most.accumulateAndGet(pool.threads(), Math::max);
                compute(TimeUnit.MILLISECONDS.toNanos(40));
                done.countDown();
            });
        }
        assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
        // busy workers are not blocked ones: no thread is added for them (a worker seen for a moment not
        // running, by the JIT or a class being loaded, may add one)
        assertThat(Math.max(most.get(), pool.threads())).isLessThanOrEqualTo(4);
    }

    @Test
    void tasksBlockedOnALaterTaskStillAllCompleteAmongComputingOnes() throws Exception {
        ElasticExecutor pool = new ElasticExecutor(2, 256, "test-", Thread::new);
        CountDownLatch release = new CountDownLatch(1);
        int blocked = 20;
        CountDownLatch finished = new CountDownLatch(blocked + 10 + 1);
        for (int i = 0; i < blocked; i++) {
            pool.execute(waitsFor(release, finished));
        }
        for (int i = 0; i < 10; i++) {
            pool.execute(() -> {
                compute(TimeUnit.MILLISECONDS.toNanos(5));
                finished.countDown();
            });
        }
        pool.execute(releases(release, finished));
        assertThat(finished.await(60, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theCapHoldsAndTheQueueWaitsForIt() throws Exception {
        ElasticExecutor pool = new ElasticExecutor(1, 4, "test-", Thread::new);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(4);
        CountDownLatch finished = new CountDownLatch(10);
        for (int i = 0; i < 10; i++) {
            pool.execute(() -> {
                started.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                finished.countDown();
            });
        }
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.threads()).isEqualTo(4);
        release.countDown();
        assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.threads()).isLessThanOrEqualTo(4);
    }

    @Test
    void aThreadThatCannotStartDoesNotStopTheWatch() throws Exception {
        // the second, third and fourth threads fail to start, as when the system is out of threads
        AtomicInteger made = new AtomicInteger();
        ThreadFactory flaky = r -> {
            int n = made.incrementAndGet();
            if (n >= 2 && n <= 4) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
            }
            return new Thread(r);
        };
        ElasticExecutor pool = new ElasticExecutor(1, 16, "test-", flaky);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(2);
        pool.execute(waitsFor(release, finished)); // for the next task, which needs a thread
        pool.execute(releases(release, finished));
        assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(made.get()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void withNoThreadAtAllTheTaskIsRefusedNotLost() {
        ElasticExecutor pool = new ElasticExecutor(1, 16, "test-", r -> {
            throw new OutOfMemoryError("unable to create native thread");
        });
        Assertions.assertThatThrownBy(() -> pool.execute(() -> { }))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("unable to create native thread");
    }

    @Test
    void aStrayInterruptOfAnIdleWorkerReachesNoTask() throws Exception {
        ElasticExecutor pool = new ElasticExecutor(1, 16, "test-", Thread::new);
        CompletableFuture<Thread> worker = new CompletableFuture<>();
        pool.execute(() -> worker.complete(Thread.currentThread()));
        Thread t = worker.get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.idleThreads() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until the worker has listed itself idle
        }
        assertThat(pool.idleThreads()).isOne();
        t.interrupt();
        // the worker parks again rather than spinning on the interrupt (seen parked once: a timed park may
        // end and begin again between two looks)
        boolean parked = false;
        while (!parked && System.nanoTime() < deadline) {
            parked = t.getState() == Thread.State.TIMED_WAITING;
            Thread.onSpinWait();
        }
        assertThat(parked).as("the interrupted idle worker parks again").isTrue();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        pool.execute(() -> interrupted.complete(Thread.currentThread().isInterrupted()));
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        // a state read as parked may be the one before the interrupt's wake-up was seen: a task that comes
        // while the worker lists itself idle again may get a thread of its own, but never more than that
        assertThat(pool.threads()).isBetween(1, 2);
    }

    @Test
    void aBurstHandedOnAfterAReadWakesAWorkerOrTwoNotOnePerTask() throws Exception {
        ElasticExecutor pool = new ElasticExecutor(2, 16, "test-", Thread::new);
        growIdle(pool, 6); // first, idle workers to wake
        // then bursts, as an I/O thread hands on the callbacks of one read's answers: each finds the workers idle
        int bursts = 200;
        int each = 10;
        Executor afterIo = IoThreads.handedOnAfterIo(pool);
        long before = pool.wakeUps();
        OnIoThread.run(loop -> {
            for (int b = 0; b < bursts; b++) {
                CountDownLatch burst = new CountDownLatch(each);
                IoThreads.holdUntilDone(loop::add);
                for (int i = 0; i < each; i++) {
                    afterIo.execute(burst::countDown);
                }
                loop.poll().run(); // the hand-on, after the read
                try {
                    assertThat(burst.await(30, TimeUnit.SECONDS)).as("burst %d ran", b).isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        });
        assertThat(pool.wakeUps() - before).isLessThanOrEqualTo(bursts * 2L + 50);
    }

    @Test
    void tasksWaitingBehindBlockedWorkersGetTheIdleOnesSoon() throws Exception {
        ElasticExecutor pool = new ElasticExecutor(2, 64, "test-", Thread::new);
        growIdle(pool, 20); // idle workers, then every running worker blocked
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(2);
        CountDownLatch heldDone = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> {
                holding.countDown();
                waitsFor(hold, heldDone).run();
            });
        }
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
        // 16 tasks that must all run at once (each waits for all): the idle workers must be woken for them
        int together = 16;
        CountDownLatch all = new CountDownLatch(together);
        CountDownLatch ran = new CountDownLatch(together);
        for (int i = 0; i < together; i++) {
            pool.execute(() -> {
                all.countDown();
                try {
                    if (all.await(30, TimeUnit.SECONDS)) {
                        ran.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(ran.await(30, TimeUnit.SECONDS)).as("all %d ran at once", together).isTrue();
        hold.countDown();
        assertThat(heldDone.await(30, TimeUnit.SECONDS)).isTrue();
    }
}
