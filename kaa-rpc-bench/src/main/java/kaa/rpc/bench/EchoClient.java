package kaa.rpc.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One connection to an echo server, driven by {@link Compare}. */
interface EchoClient extends AutoCloseable {

    /** A 16-byte value: bytes for the byte-level systems, a 16-character string for kaa-rpc and RMI. */
    byte[] SMALL = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    String SMALL_TEXT = "0123456789abcdef";

    /** One round trip of the small value, blocking. */
    void echoSmall() throws Exception;

    /** One round trip of {@code payload}, blocking; checks the length that came back. */
    void echoBytes(byte[] payload) throws Exception;

    /**
     * {@code total} small round trips on this one connection with {@code window}
     * outstanding at a time; by default through {@link #echoAsync}.
     */
    default void pipelined(int total, int window) throws Exception {
        Semaphore slots = new Semaphore(window);
        CountDownLatch done = new CountDownLatch(total);
        for (int i = 0; i < total; i++) {
            if (!slots.tryAcquire(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("pipelined calls stopped answering");
            }
            echoAsync(() -> {
                slots.release();
                done.countDown();
            });
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("pipelined calls did not finish");
        }
    }

    /**
     * One round trip of {@link StructuredPayload#RECORDS} as a user of this
     * system would make it, blocking, with whatever it takes to make records
     * of the answer; checks what came back.
     */
    void echoRecords() throws Exception;

    /**
     * {@code total} small round trips from {@code threads} threads that share
     * this one client, each calling in turn; by default through
     * {@link #echoSmall}, for a client that is safe to share as it is.
     */
    default void shared(int threads, int total) throws Exception {
        callFromThreads(threads, total, this::echoSmall);
    }

    /** Starts one small call and calls {@code done} when its answer arrives (fan-in, pipelining). */
    void echoAsync(Runnable done) throws Exception;

    @Override
    void close() throws Exception;

    /** A blocking call, made from many threads by {@link #callFromThreads}. */
    interface Call {
        void call() throws Exception;
    }

    /**
     * Makes {@code total} calls from {@code threads} threads at once, each
     * taking the next call as soon as its last one returned; fails with the
     * first call that fails.
     */
    static void callFromThreads(int threads, int total, Call call) throws Exception {
        AtomicInteger left = new AtomicInteger(total);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> callers = new ArrayList<>(threads);
            for (int t = 0; t < threads; t++) {
                callers.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        call.call();
                    }
                    return null;
                }));
            }
            for (Future<?> caller : callers) {
                caller.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
