package kaa.rpc.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.Expose;
import kaa.rpc.NotConnectedException;
import kaa.rpc.internal.call.RpcFuture;
import kaa.rpc.internal.dispatch.CallSource;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.dispatch.RunningCalls;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session's life cycle and routing without a socket: each connection is a {@link RecordingSink}. */
class SessionTest {

    public static final class Echo {
        final AtomicInteger calls = new AtomicInteger();

        @Expose
        public String echo(String s) {
            calls.incrementAndGet();
            return s;
        }
    }

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final List<Runnable> held = new ArrayList<>();
    private final Echo echo = new Echo();
    private final List<String> heard = new ArrayList<>();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    private Session session() {
        return session(false);
    }

    private Session session(boolean reconnects) {
        CommandTable commands = new CommandTable(null);
        commands.register(echo);
        return new Session(null, commands, held::add, new Session.Listener() {
            @Override
            public void opened() {
                heard.add("opened");
            }

            @Override
            public void closed(Throwable reason) {
                heard.add("closed: " + reason.getMessage());
            }
        }, reconnects, 1024, SendPolicy.DEFAULT, false, false, FrameLimits.DEFAULT_MAX_FRAME_SIZE,
                DecimalLimits.DEFAULT, Duration.ofSeconds(30), timers);
    }

    private static Session.Link attach(Session session, RecordingSink sink) {
        return session.attach(sink, sink, new CallSource.Registry().join(new Object(), sink));
    }

    private static ByteBuf pickled(Object value) {
        ByteBuf b = Unpooled.buffer();
        PickleWriter.write(b, value, false);
        return b;
    }

    @Test
    void callsBeforeOpenAreQueuedThenSentInOrderOnOpen() {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        Session.Link link = attach(session, sink);
        for (int i = 0; i < 3; i++) {
            session.call("echo", new Object[] {"q" + i}, Map.of(), Object.class, null, false);
        }
        assertThat(sink.headers()).as("nothing sent before open").isEmpty();

        sink.dialect = Dialect.JAVA;
        session.opened(link);

        assertThat(sink.headers()).containsExactly("CALL 1", "CALL 2", "CALL 3");
        assertThat(sink.flushes).isEqualTo(1);
        assertThat(heard).containsExactly("opened");
        assertThat(session.isOpen()).isTrue();
        sink.releaseAll();
    }

    @Test
    void queuedCallsFailOnCloseAndTheirBuffersAreReleased() {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        attach(session, sink);
        RpcFuture<Object> a = session.call("echo", new Object[] {"a"}, Map.of(), Object.class, null, false);
        RpcFuture<Object> b = session.call("echo", new Object[] {"b"}, Map.of(), Object.class, null, false);
        List<ByteBuf> frames = new ArrayList<>();
        session.pending().values().forEach(c -> frames.add(c.frame()));
        assertThat(frames).hasSize(2).allMatch(f -> f.refCnt() == 1);

        session.close(new NotConnectedException("closed locally"));

        assertThatThrownBy(a::join).hasCauseInstanceOf(NotConnectedException.class);
        assertThatThrownBy(b::join).hasCauseInstanceOf(NotConnectedException.class);
        assertThat(frames).as("queued frames released").allMatch(f -> f.refCnt() == 0);
        assertThat(sink.headers()).isEmpty();
        assertThat(sink.closed).isTrue();
        assertThat(session.callsInFlight()).isZero();
        assertThat(heard).containsExactly("closed: closed locally");
    }

    @Test
    void aCancelledQueuedCallReleasesItsBufferAndIsNeverSent() {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.JAVA);
        Session.Link link = attach(session, sink);
        RpcFuture<Object> a = session.call("echo", new Object[] {"a"}, Map.of(), Object.class, null, false);
        ByteBuf frame = session.pending().get(1).frame();

        a.cancel(true);
        session.opened(link);

        assertThat(frame.refCnt()).isZero();
        assertThat(sink.headers()).as("neither the CALL nor a CNCL").isEmpty();
    }

    @Test
    void aQueuedCallPastItsTimeOutSaysItWasNeverSent() throws Exception {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.JAVA);
        attach(session, sink);
        RpcFuture<Object> a = session.call("echo", new Object[] {"a"}, Map.of(), Object.class, Duration.ofMillis(1), false);

        assertThatThrownBy(() -> a.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class)
                .cause().hasMessage("call 'echo' got no answer within 1 ms (it was never sent: no connection opened)");
        assertThat(sink.headers()).as("neither the CALL nor a CNCL").isEmpty();
    }

    @Test
    void packetsAreRoutedByTypeAndEveryPayloadIsReleased() throws Exception {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        Session.Link link = attach(session, sink);
        session.opened(link);
        RpcFuture<Object> ours = session.call("remote", new Object[0], Map.of(), Object.class, null, false);

        ByteBuf answer = pickled("done");
        session.packet(link, new Packet(1, Packet.RETN, answer));
        ByteBuf call = Unpooled.buffer();
        PickleWriter.writeCall(call, "echo", new Object[] {"hi"}, Map.of());
        session.packet(link, new Packet(9, Packet.CALL, call));
        ByteBuf junk = Unpooled.buffer(4).writeInt(1);
        session.packet(link, new Packet(5, Packet.code("JUNK"), junk));
        held.forEach(Runnable::run);

        assertThat(ours.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(sink.headers()).containsExactly("CALL 1", "RETN 9");
        assertThat(sink.payload(1)).isEqualTo("hi");
        assertThat(answer.refCnt()).isZero();
        assertThat(call.refCnt()).isZero();
        assertThat(junk.refCnt()).isZero();
        sink.releaseAll();
    }

    private static ByteBuf echoCall(String arg) {
        ByteBuf call = Unpooled.buffer();
        PickleWriter.writeCall(call, "echo", new Object[] {arg}, Map.of());
        return call;
    }

    @Test
    void heldCallsWaitInOrderWhileAnswersGoThrough() throws Exception {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        Session.Link link = attach(session, sink);
        session.opened(link);
        Runnable release = session.holdIncoming();
        RpcFuture<Object> ours = session.call("remote", new Object[0], Map.of(), Object.class, null, false);

        ByteBuf first = echoCall("one");
        ByteBuf second = echoCall("two");
        session.packet(link, new Packet(7, Packet.CALL, first));
        session.packet(link, new Packet(8, Packet.CALL, second));
        ByteBuf answer = pickled("done");
        session.packet(link, new Packet(1, Packet.RETN, answer));

        assertThat(ours.get(10, TimeUnit.SECONDS)).as("an answer is not held").isEqualTo("done");
        assertThat(held).as("no call dispatched while held").isEmpty();
        assertThat(first.refCnt()).as("kept until the hold ends").isEqualTo(1);

        release.run();
        held.forEach(Runnable::run);
        assertThat(sink.headers()).containsExactly("CALL 1", "RETN 7", "RETN 8");
        assertThat(sink.payload(1)).isEqualTo("one");
        assertThat(sink.payload(2)).isEqualTo("two");
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        assertThat(answer.refCnt()).isZero();
        sink.releaseAll();
    }

    @Test
    void aCallMadeAfterAJavaPeerWasLostWaitsEncodedForAnyPeer() throws Exception {
        Session session = session(true);
        RecordingSink java = new RecordingSink(Dialect.JAVA);
        Session.Link lost = attach(session, java);
        session.opened(lost);
        java.active = false;
        assertThat(session.connectionLost(lost, new NotConnectedException("reset"))).as("retries").isTrue();

        Object[] args = {new byte[] {1, 2, (byte) 0xff}};
        RpcFuture<Object> f = session.call("store", args, Map.of(), Object.class, null, true);
        ByteBuf portable = Unpooled.buffer();
        Packet.writeHeader(portable, 1, Packet.CALL, 0);
        PickleWriter.writeCall(portable, "store", args, Map.of(), null, false, SendPolicy.DEFAULT);
        Packet.patchLength(portable, 0);
        try {
            assertThat(ByteBufUtil.hexDump(session.pending().get(1).frame()))
                    .as("queued as any peer reads it, whatever the next connection's peer is")
                    .isEqualTo(ByteBufUtil.hexDump(portable));
            RecordingSink python = new RecordingSink(Dialect.PYTHON);
            session.opened(attach(session, python));
            assertThat(ByteBufUtil.hexDump(python.frameBytes(0))).isEqualTo(ByteBufUtil.hexDump(portable));
            python.releaseAll();
        } finally {
            portable.release();
            f.cancel(false);
            session.close(new NotConnectedException("closed"));
            java.releaseAll();
        }
    }

    @Test
    void aHeldCallThatItsCallerCancelsIsNeverRunNorAnswered() throws Exception {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.JAVA);
        Session.Link link = attach(session, sink);
        session.opened(link);
        Runnable release = session.holdIncoming();
        ByteBuf cancelled = echoCall("cancelled");
        ByteBuf kept = echoCall("kept");
        ByteBuf again = echoCall("same seq again");
        session.packet(link, new Packet(7, Packet.CALL, cancelled));
        session.packet(link, new Packet(8, Packet.CALL, kept));
        session.packet(link, new Packet(7, Packet.CALL, again)); // a peer's duplicate seq: a cancel takes the first
        session.packet(link, new Packet(7, Packet.CNCL, Unpooled.EMPTY_BUFFER));
        session.packet(link, new Packet(99, Packet.CNCL, Unpooled.EMPTY_BUFFER)); // of no call: nothing happens
        assertThat(cancelled.refCnt()).as("held until the hold ends, in constant time a cancel").isEqualTo(1);

        release.run();
        held.forEach(Runnable::run);
        assertThat(cancelled.refCnt()).isZero();
        assertThat(echo.calls).as("only the calls not cancelled ran").hasValue(2);
        assertThat(sink.headers()).containsExactly("RETN 8", "RETN 7");
        assertThat(sink.payload(0)).isEqualTo("kept");
        assertThat(sink.payload(1)).isEqualTo("same seq again");
        assertThat(kept.refCnt()).isZero();
        assertThat(again.refCnt()).isZero();
        sink.releaseAll();
    }

    @Test
    void callsHeldWhenTheConnectionIsLostAreReleasedUnanswered() {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        Session.Link link = attach(session, sink);
        session.opened(link);
        Runnable release = session.holdIncoming();
        ByteBuf call = echoCall("lost");
        session.packet(link, new Packet(7, Packet.CALL, call));

        sink.active = false;
        session.connectionLost(link, new NotConnectedException("reset"));
        release.run();
        held.forEach(Runnable::run);

        assertThat(call.refCnt()).isZero();
        assertThat(echo.calls).hasValue(0);
        assertThat(sink.headers()).isEmpty();
    }

    @Test
    void aLostConnectionReleasesEverything() {
        Session session = session();
        RecordingSink sink = new RecordingSink(Dialect.JAVA);
        Session.Link link = attach(session, sink);
        session.opened(link);
        RpcFuture<Object> ours = session.call("remote", new Object[0], Map.of(), Object.class, null, false);
        ByteBuf call = Unpooled.buffer();
        PickleWriter.writeCall(call, "echo", new Object[] {"hi"}, Map.of());
        session.packet(link, new Packet(9, Packet.CALL, call)); // waits for the executor

        sink.active = false;
        assertThat(session.connectionLost(link, new NotConnectedException("reset"))).as("no retry").isFalse();
        held.forEach(Runnable::run); // the peer's call, let go with its connection
        ByteBuf late = pickled("late");
        session.packet(link, new Packet(1, Packet.RETN, late));

        assertThatThrownBy(ours::join).hasCauseInstanceOf(NotConnectedException.class);
        assertThat(echo.calls).hasValue(0);
        assertThat(sink.headers()).as("only our CALL, no answer to theirs").containsExactly("CALL 1");
        assertThat(call.refCnt()).isZero();
        assertThat(late.refCnt()).as("a packet after the loss is released too").isZero();
        assertThat(link.running.count()).isEqualTo(RunningCalls.LOST);
        assertThat(session.isClosed()).isTrue();
        assertThat(session.callsInFlight()).isZero();
        assertThat(heard).containsExactly("opened", "closed: reset");
        sink.releaseAll();
    }
}
