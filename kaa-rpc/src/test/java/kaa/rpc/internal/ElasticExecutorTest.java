package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ElasticExecutorTest {

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
            pool.execute(() -> {
                try {
                    if (release.await(30, TimeUnit.SECONDS)) {
                        finished.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        pool.execute(() -> {
            release.countDown();
            finished.countDown();
        });
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
}
