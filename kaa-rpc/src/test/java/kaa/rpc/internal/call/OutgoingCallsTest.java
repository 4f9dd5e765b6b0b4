package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kaa.rpc.NotConnectedException;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Our calls without a socket: an open connection is a {@link RecordingSink}. */
class OutgoingCallsTest {

    private final ScheduledExecutorService timers = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    /** An open session's routing: every call goes to {@code sink}, unless {@link #route} says otherwise. */
    static class OpenRoute implements OutgoingCalls.Route {
        final RecordingSink sink;

        OpenRoute(RecordingSink sink) {
            this.sink = sink;
        }

        @Override
        public Routed route(PendingCall call) {
            call.sink = sink;
            return Routed.SEND;
        }

        @Override
        public boolean unqueue(PendingCall call) {
            return false;
        }

        @Override
        public FrameSink openSink() {
            return sink;
        }

        @Override
        public Dialect dialect() {
            return sink.dialect();
        }

        @Override
        public NotConnectedException notConnected(String what) {
            return new NotConnectedException(what);
        }
    }

    private OutgoingCalls calls(OutgoingCalls.Route route) {
        return new OutgoingCalls(route, Runnable::run, timers, SendPolicy.DEFAULT, false,
                FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT, Duration.ofSeconds(30));
    }

    /** Every call goes straight to {@code sink}, as on an open session. */
    private OutgoingCalls calls(RecordingSink sink) {
        return calls(new OpenRoute(sink));
    }

    private static ByteBuf pickled(Object value) {
        ByteBuf b = Unpooled.buffer();
        PickleWriter.write(b, value, false);
        return b;
    }

    @Test
    void aCallIsOneFrameWithTheCallHeaderAndTheNextSeq() throws Exception {
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        OutgoingCalls calls = calls(sink);
        calls.call("echo", new Object[] {"hi"}, Map.of(), Object.class, null, false);
        calls.call("echo", new Object[] {"again"}, Map.of(), Object.class, null, false);

        assertThat(sink.headers()).containsExactly("CALL 1", "CALL 2");
        assertThat((Object[]) sink.payload(1)).containsExactly("echo", new Object[] {"again"}, Map.of());
        assertThat(calls.inFlight()).isEqualTo(2);
        sink.releaseAll();
    }

    @Test
    void headersGoAsACalhOnlyToAPeerThatReadsThem() throws Exception {
        Map<String, String> headers = Map.of("traceparent", "00-1-2-01");
        for (Dialect d : Dialect.values()) {
            RecordingSink sink = new RecordingSink(d);
            OutgoingCalls calls = calls(sink);
            calls.call("echo", new Object[] {"hi"}, Map.of(), headers, Object.class, null, false, null);
            calls.call("echo", new Object[] {"hi"}, Map.of(), Map.of(), Object.class, null, false, null);
            if (d.readsHeaders()) {
                assertThat(sink.headers()).as(d.name()).containsExactly("CALH 1", "CALL 2");
                assertThat((Object[]) sink.payload(0)).containsExactly("echo", new Object[] {"hi"}, Map.of(), headers);
            } else { // a Python peer, or one of this library before headers: the call goes, its headers do not
                assertThat(sink.headers()).as(d.name()).containsExactly("CALL 1", "CALL 2");
                assertThat((Object[]) sink.payload(0)).containsExactly("echo", new Object[] {"hi"}, Map.of());
            }
            sink.releaseAll();
        }
    }

    @Test
    void headersOfACallMadeBeforeOpenGoIfTheConnectionThatOpensReadsThem() throws Exception {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        headers.put("k", "v");
        // shared parts in the arguments: the memo indices they use must still be right once headers follow
        List<String> shared = List.of("shared part");
        Object[] args = {shared, shared, "another string", new byte[] {1, 2}};
        for (Dialect opened : Dialect.values()) {
            RecordingSink sink = new RecordingSink(opened);
            java.util.concurrent.atomic.AtomicReference<PendingCall> queued = new java.util.concurrent.atomic.AtomicReference<>();
            OutgoingCalls calls = calls(new OpenRoute(new RecordingSink(Dialect.PYTHON)) { // no connection says more
                @Override
                public Routed route(PendingCall call) {
                    queued.set(call);
                    return Routed.QUEUED;
                }
            });
            calls.call("echo", args, Map.of("kw", shared), headers, Object.class, null, false, null);
            sink.sendNow(queued.get().sendQueued(sink)); // the connection opens, and sends the queue
            Object[] sent = (Object[]) sink.payload(0);
            assertThat(sent[0]).isEqualTo("echo");
            assertThat((Object[]) sent[1]).containsExactly(List.of("shared part"), List.of("shared part"),
                    "another string", new byte[] {1, 2});
            assertThat(sent[2]).isEqualTo(Map.of("kw", List.of("shared part")));
            if (opened.readsHeaders()) {
                assertThat(sink.headers()).containsExactly("CALH 1");
                assertThat(sent).hasSize(4);
                assertThat(sent[3]).isEqualTo(headers);
            } else {
                assertThat(sink.headers()).as(opened.name()).containsExactly("CALL 1");
                assertThat(sent).hasSize(3);
            }
            sink.releaseAll();
        }
    }

    @Test
    void anAnswerCompletesItsFutureAndEmptiesTheTable() throws Exception {
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        OutgoingCalls calls = calls(sink);
        RpcFuture<Object> f = calls.call("echo", new Object[] {"hi"}, Map.of(), Object.class, null, false);
        ByteBuf answer = pickled("hi");

        calls.onAnswer(sink, 1, false, answer);

        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("hi");
        assertThat(calls.inFlight()).isZero();
        assertThat(answer.refCnt()).as("the payload stays the caller's to release").isEqualTo(1);
        answer.release();
        sink.releaseAll();
    }

    @Test
    void aLateOrUnknownAnswerIsDroppedAndTouchesNoOtherCall() throws Exception {
        RecordingSink sink = new RecordingSink(Dialect.JAVA);
        OutgoingCalls calls = calls(sink);
        RpcFuture<Object> f = calls.call("echo", new Object[0], Map.of(), Object.class, null, false);
        ByteBuf unknown = pickled("stray");
        calls.onAnswer(sink, 42, false, unknown); // no such call
        assertThat(f).isNotDone();
        assertThat(calls.inFlight()).isEqualTo(1);

        f.cancel(true); // forgotten: its answer is late from now on
        ByteBuf late = pickled("late");
        calls.onAnswer(sink, 1, false, late);

        assertThat(f.isCancelled()).isTrue();
        assertThat(calls.inFlight()).isZero();
        assertThat(sink.headers()).as("a cancel for the call forgotten, nothing for the answers")
                .containsExactly("CALL 1", "CNCL 1");
        unknown.release();
        late.release();
        sink.releaseAll();
    }

    @Test
    void aTimeOutSendsACancelToAJavaPeer() throws Exception {
        RecordingSink sink = new RecordingSink(Dialect.JAVA);
        OutgoingCalls calls = calls(sink);
        RpcFuture<Object> f = calls.call("slow", new Object[0], Map.of(), Object.class, Duration.ofMillis(20), false);

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(sink.headers()).containsExactly("CALL 1", "CNCL 1"); // sent before the future failed
        assertThat(calls.inFlight()).isZero();
        sink.releaseAll();
    }

    @Test
    void aTimeOutNeverSendsACancelToAPythonPeer() throws Exception {
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        OutgoingCalls calls = calls(sink);
        RpcFuture<Object> f = calls.call("slow", new Object[0], Map.of(), Object.class, Duration.ofMillis(20), false);

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(sink.headers()).containsExactly("CALL 1");
        sink.releaseAll();
    }

    @Test
    void aLostConnectionFailsTheCallsSentOnIt() {
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        OutgoingCalls calls = calls(sink);
        RpcFuture<Object> f = calls.call("echo", new Object[0], Map.of(), Object.class, Duration.ofSeconds(30), false);

        calls.failPending(new NotConnectedException("gone"), false);

        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::join).hasCauseInstanceOf(NotConnectedException.class);
        assertThat(calls.inFlight()).isZero();
        sink.releaseAll();
    }

    @Test
    void aCallQueuedAsTheConnectionOpensIsSentOnceAndNotFailed() throws Exception {
        // the session queues the call under its lock, and the connection opens before call() looks again:
        // the queue's drain has sent it, so call() must leave it to its answer
        RecordingSink sink = new RecordingSink(Dialect.JAVA);
        OutgoingCalls calls = calls(new OpenRoute(sink) {
            @Override
            public Routed route(PendingCall call) {
                call.queued = true;
                call.queued = false; // what ReadyQueue.takeAll does as the connection opens
                sink.sendNow(call.sendQueued(sink));
                sink.flushNow();
                return Routed.QUEUED;
            }
        });
        RpcFuture<Object> f = calls.call("echo", new Object[] {"hi"}, Map.of(), Object.class, null, false);

        assertThat(f).as("a call that went out waits for its answer").isNotDone();
        assertThat(sink.headers()).containsExactly("CALL 1");
        calls.onAnswer(sink, 1, false, pickled("ho"));
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("ho");
        sink.releaseAll();
    }
}
