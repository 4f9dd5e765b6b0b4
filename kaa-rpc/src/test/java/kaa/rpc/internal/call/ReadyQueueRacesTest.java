package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Function;
import kaa.rpc.NotConnectedException;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call that waits for ready, made while the connection is lost: the I/O
 * thread's failPending can run between the call's entry in the table and its
 * routing, and the call is then queued after it was failed. It must never be
 * sent; and a call forgotten before its ready timer is armed leaves no timer.
 */
class ReadyQueueRacesTest {

    private final ScheduledExecutorService timers = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void aWaitForReadyCallFailedByAConnectionLossIsNeverSentOnTheNextOpen() throws Exception {
        RecordingSink next = new RecordingSink(Dialect.JAVA);
        ReadyQueue queue = new ReadyQueue();
        OutgoingCalls[] holder = new OutgoingCalls[1];
        OutgoingCalls.Route route = new QueueRoute(queue, call -> {
            // the connection is lost just before this call takes the session's lock (Session.connectionLost
            // on the I/O thread: state OPEN -> DISCONNECTED, then failPending(reason, all = false))
            holder[0].failPending(new NotConnectedException("connection reset"), false);
            // Session.Routing.route: DISCONNECTED && call.waitsForReady -> queued
            return queue.offer(call) ? OutgoingCalls.Route.Routed.QUEUED : OutgoingCalls.Route.Routed.QUEUE_FULL;
        });
        OutgoingCalls calls = new OutgoingCalls(route, Runnable::run, timers, SendPolicy.DEFAULT, false,
                FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT, Duration.ofSeconds(30));
        holder[0] = calls;

        RpcFuture<Object> f = calls.call("charge", new Object[] {"card", 100}, Map.of(), Object.class, null, true);

        assertThat(f).as("the caller heard the call failed with the connection").isCompletedExceptionally();
        // the client reconnects: Session.opened takes the queue and sends it (ReadyQueue.sendAll)
        ArrayDeque<PendingCall> batch = queue.takeAll();
        ReadyQueue.sendAll(batch, next);

        assertThat(next.headers())
                .as("a call whose caller was told it failed (NotConnectedException) must not then run on the peer")
                .isEmpty();
        assertThat(calls.inFlight()).isZero();
        next.releaseAll();
    }

    /** A call cancelled after it was queued but before its ready timer was armed: the timer goes at once. */
    @Test
    void aCallCancelledBeforeItsReadyTimerIsArmedLeavesNoTimerBehind() throws Exception {
        ReadyQueue queue = new ReadyQueue();
        PendingCall[] seen = new PendingCall[1];
        OutgoingCalls.Route route = new QueueRoute(queue, call -> {
            queue.offer(call);
            seen[0] = call;
            call.future.cancel(false); // the caller (another thread) cancels at once
            return OutgoingCalls.Route.Routed.QUEUED;
        });
        OutgoingCalls calls = new OutgoingCalls(route, Runnable::run, timers, SendPolicy.DEFAULT, false,
                FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT, Duration.ofSeconds(30));

        RpcFuture<Object> f = calls.call("echo", new Object[] {"x"}, Map.of(), Object.class, null, true);

        assertThat(f).isCancelled();
        assertThat(calls.inFlight()).isZero();
        assertThat(seen[0].frame()).as("the buffer was released once").isNull();
        assertThat(seen[0].readyTimer == null || seen[0].readyTimer.isCancelled())
                .as("no ready timer lives on for a call already forgotten").isTrue();
    }

    /** A session that is not open: calls go to {@code queue} as {@code routing} says; nothing to send on. */
    private static final class QueueRoute implements OutgoingCalls.Route {
        private final ReadyQueue queue;
        private final Function<PendingCall, Routed> routing;

        QueueRoute(ReadyQueue queue, Function<PendingCall, Routed> routing) {
            this.queue = queue;
            this.routing = routing;
        }

        @Override
        public Routed route(PendingCall call) {
            return routing.apply(call);
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
            return Dialect.JAVA;
        }

        @Override
        public NotConnectedException notConnected(String what) {
            return new NotConnectedException(what);
        }
    }
}
