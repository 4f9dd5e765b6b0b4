package kaa.rpc.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import kaa.rpc.Expose;
import kaa.rpc.internal.call.RpcFuture;
import kaa.rpc.internal.dispatch.CallSource;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.exec.IoThreads;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.ReadControl;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The peer sends RETN for our call, then a CALL, and both arrive in one
 * read: on a one-thread executor (the user's {@code executor(...)}, run in
 * order), the dependent of our call's future runs before the CALL's method,
 * as the peer sent them, though the answers' callbacks are handed on after
 * the read.
 */
class AnswerCallOrderTest {

    public static final class Notes {
        final List<String> order;

        Notes(List<String> order) {
            this.order = order;
        }

        @Expose
        public String note(String s) {
            order.add("call " + s);
            return s;
        }
    }

    /** A RecordingSink whose execute queues on a stand-in event loop, as Connection's does. */
    private static final class LoopSink implements FrameSink, ReadControl {
        final RecordingSink inner = new RecordingSink(Dialect.PYTHON);
        final ArrayDeque<Runnable> loop = new ArrayDeque<>();

        @Override public ByteBufAllocator alloc() { return inner.alloc(); }
        @Override public void send(ByteBuf frame) { inner.send(frame); }
        @Override public void sendNow(ByteBuf frame) { inner.sendNow(frame); }
        @Override public void flushNow() { inner.flushNow(); }
        @Override public boolean isActive() { return inner.isActive(); }
        @Override public synchronized void execute(Runnable task) { loop.add(task); }
        @Override public boolean acceptsMore() { return true; }
        @Override public boolean admits(int bytes) { return true; }
        @Override public long sendBudgetLimit() { return Long.MAX_VALUE; }
        @Override public void giveWay() { inner.giveWay(); }
        @Override public Dialect dialect() { return inner.dialect(); }
        @Override public String peer() { return inner.peer(); }
        @Override public SocketAddress remoteAddress() { return inner.remoteAddress(); }
        @Override public long unsentBytes() { return 0; }
        @Override public void close() { inner.close(); }
        @Override public void reconsider(Reason reason) { inner.reconsider(reason); }
        @Override public boolean paused() { return false; }

        synchronized Runnable next() {
            return loop.poll();
        }
    }

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    /** A session that runs user code on {@code executor} and lets the peer have {@code maxConcurrentCalls}. */
    private Session session(CommandTable commands, Executor executor, int maxConcurrentCalls) {
        return new Session(null, commands, executor, new Session.Listener() {
            @Override
            public void opened() {
            }

            @Override
            public void closed(Throwable reason) {
            }
        }, false, maxConcurrentCalls, SendPolicy.DEFAULT, false, false, FrameLimits.DEFAULT_MAX_FRAME_SIZE,
                DecimalLimits.DEFAULT, Duration.ofSeconds(30), timers);
    }

    @Test
    void anAnswersCallbackIsQueuedBeforeACallThatCameAfterIt() throws Exception {
        List<String> order = new ArrayList<>();
        List<Runnable> serial = new ArrayList<>(); // the user's one-thread executor: its tasks run in order
        CommandTable commands = new CommandTable(null);
        commands.register(new Notes(order));
        Session session = session(commands, serial::add, 1024);
        LoopSink sink = new LoopSink();
        Session.Link link = session.attach(sink, sink, new CallSource.Registry().join(new Object(), sink));
        session.opened(link);
        RpcFuture<Object> ours = session.call("remote", new Object[0], Map.of(), Object.class, null, false);
        ours.thenRun(() -> order.add("answer's callback"));

        CompletableFuture<Void> read = new CompletableFuture<>();
        Thread io = IoThreads.factory().newThread(() -> {
            try {
                // one read: the answer to our call 1, then the peer's call 9
                ByteBuf answer = Unpooled.buffer();
                PickleWriter.write(answer, "done", false);
                session.packet(link, new Packet(1, Packet.RETN, answer));
                ByteBuf call = Unpooled.buffer();
                PickleWriter.writeCall(call, "note", new Object[] {"after the answer"}, Map.of());
                session.packet(link, new Packet(9, Packet.CALL, call));
                for (Runnable r = sink.next(); r != null; r = sink.next()) {
                    r.run(); // the loop's tasks after the read: the hand-on
                }
                read.complete(null);
            } catch (Throwable e) {
                read.completeExceptionally(e);
            }
        });
        io.start();
        read.get(30, TimeUnit.SECONDS);
        for (int i = 0; i < serial.size(); i++) {
            serial.get(i).run();
        }
        assertThat(order).containsExactly("answer's callback", "call after the answer");
        sink.inner.releaseAll();
    }

    @Test
    void aCallTheExecutorRefusesAfterTheReadIsAnsweredAndFreesItsSlot() throws Exception {
        List<String> order = new ArrayList<>();
        CommandTable commands = new CommandTable(null);
        commands.register(new Notes(order));
        Session session = session(commands, task -> {
            throw new RejectedExecutionException("shutting down");
        }, 1);
        LoopSink sink = new LoopSink();
        Session.Link link = session.attach(sink, sink, new CallSource.Registry().join(new Object(), sink));
        session.opened(link);
        session.call("remote", new Object[0], Map.of(), Object.class, null, false);
        CompletableFuture<Void> read = new CompletableFuture<>();
        Thread io = IoThreads.factory().newThread(() -> {
            try {
                ByteBuf answer = Unpooled.buffer();
                PickleWriter.write(answer, "done", false);
                session.packet(link, new Packet(1, Packet.RETN, answer)); // the read holds what it sets off
                ByteBuf call = Unpooled.buffer();
                PickleWriter.writeCall(call, "note", new Object[] {"refused"}, Map.of());
                session.packet(link, new Packet(9, Packet.CALL, call));
                assertThat(link.busy()).as("the call holds its one slot while it waits").isTrue();
                for (Runnable r = sink.next(); r != null; r = sink.next()) {
                    r.run(); // the hand-on, which the executor refuses
                }
                read.complete(null);
            } catch (Throwable e) {
                read.completeExceptionally(e);
            }
        });
        io.start();
        read.get(30, TimeUnit.SECONDS);
        assertThat(order).isEmpty();
        assertThat(sink.inner.headers()).contains("EXCP 9");
        Object error = sink.inner.payload(sink.inner.headers().indexOf("EXCP 9"));
        assertThat(Arrays.deepToString(new Object[] {error})).contains("RuntimeError").contains("rejected");
        assertThat(link.busy()).as("its slot is free again").isFalse();
        sink.inner.releaseAll();
    }
}
