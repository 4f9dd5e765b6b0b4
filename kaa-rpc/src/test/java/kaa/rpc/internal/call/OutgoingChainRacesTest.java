package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import kaa.rpc.NotConnectedException;
import kaa.rpc.OutgoingInterceptor;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The caller's future settled while an interceptor goes on from another thread: no call is left behind. */
class OutgoingChainRacesTest {

    private final ScheduledExecutorService timers = new ScheduledThreadPoolExecutor(1);
    private final ExecutorService proceeding = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
        proceeding.shutdownNow();
    }

    /**
     * The caller cancels just as the call goes on from another thread: whichever
     * comes first, the call that went on is cancelled (its CNCL sent) and
     * leaves the call table. The window is a few instructions wide (the cancel
     * looks for the call that went on before it marks the future done), so
     * this races them many times.
     */
    @Test
    void aCancelRacingAProceedFromAnotherThreadNeverLeavesTheCallPending() throws Exception {
        OutgoingCallsTest.OpenRoute route = new OutgoingCallsTest.OpenRoute(new RecordingSink(Dialect.JAVA));
        OutgoingCalls calls = new OutgoingCalls(route, Runnable::run, timers, SendPolicy.DEFAULT, false,
                FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT, Duration.ofSeconds(30));
        CyclicBarrier both = new CyclicBarrier(2);
        OutgoingInterceptor later = (call, next) -> {
            CompletableFuture<Object> answer = new CompletableFuture<>();
            proceeding.execute(() -> {
                try {
                    both.await(10, TimeUnit.SECONDS);
                    next.proceed(call).whenComplete((v, e) -> {
                        if (e != null) {
                            answer.completeExceptionally(e);
                        } else {
                            answer.complete(v);
                        }
                    });
                } catch (Exception e) {
                    answer.completeExceptionally(e);
                }
            });
            return answer;
        };
        OutgoingChain chain = new OutgoingChain(List.of(later), calls, null, Runnable::run);
        for (int i = 0; i < 20_000; i++) {
            RpcFuture<Object> result = chain.call("echo", new Object[] {i}, Map.of(), Object.class, null, false, null);
            both.await(10, TimeUnit.SECONDS);
            result.cancel(false);
            Future<?> drained = proceeding.submit(() -> { });
            drained.get(10, TimeUnit.SECONDS); // the proceed has returned
            assertThat(calls.inFlight()).as("call %d", i).isZero();
        }
        route.sink.releaseAll();
    }

    /**
     * A call made while a connection to a peer that reads headers is open is
     * encoded as a CALH; if that connection is lost before the call is routed
     * (Session.Routing reads the dialect outside its lock, then decides under
     * it), a call that waits for ready is queued as that CALH, and the next
     * open sends it as it is, whatever the new peer reads: a Python server
     * now at that address, or this library before 0.2, gets a CALH.
     */
    @Test
    void aCallWithHeadersQueuedAfterItsConnectionWasLostGoesAsACallToAPeerThatReadsNoHeaders() throws Exception {
        ArrayDeque<PendingCall> queue = new ArrayDeque<>();
        OutgoingCalls.Route lostMeanwhile = new OutgoingCalls.Route() {
            @Override
            public Routed route(PendingCall call) { // the connection was lost since dialect() was read
                queue.add(call);
                call.queued = true;
                return Routed.QUEUED;
            }

            @Override
            public boolean unqueue(PendingCall call) {
                return queue.remove(call);
            }

            @Override
            public FrameSink openSink() {
                return null;
            }

            @Override
            public Dialect dialect() {
                return Dialect.JAVA; // still the lost connection's
            }

            @Override
            public NotConnectedException notConnected(String what) {
                return new NotConnectedException(what);
            }
        };
        OutgoingCalls calls = new OutgoingCalls(lostMeanwhile, Runnable::run, timers, SendPolicy.DEFAULT, false,
                FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT, Duration.ofSeconds(30));
        java.util.List<String> shared = java.util.List.of("a shared list");
        calls.call("echo", new Object[] {shared, shared}, Map.of("k", shared), Map.of("traceparent", "00-1-2-01"),
                Object.class, null, true, null);
        RecordingSink python = new RecordingSink(Dialect.PYTHON); // the next connection's peer
        ArrayDeque<PendingCall> batch = new ArrayDeque<>(queue);
        queue.clear();
        batch.forEach(c -> c.queued = false);
        ReadyQueue.sendAll(batch, python);
        assertThat(python.headers()).containsExactly("CALL 1");
        assertThat((Object[]) python.payload(0)).containsExactly("echo", new Object[] {shared, shared},
                Map.of("k", shared));
        python.releaseAll();
    }
}
