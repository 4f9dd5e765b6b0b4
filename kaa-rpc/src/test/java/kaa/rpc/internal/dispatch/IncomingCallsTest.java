package kaa.rpc.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.Expose;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.Test;

/** The peer's calls without a socket: the connection is a {@link RecordingSink}; the executor runs when told. */
class IncomingCallsTest {

    public static final class Echo {
        final AtomicInteger calls = new AtomicInteger();

        @Expose
        public String echo(String s) {
            calls.incrementAndGet();
            return s;
        }
    }

    /** An executor that runs its tasks only when the test says. */
    private static final class Held implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        synchronized void runAll() {
            tasks.forEach(Runnable::run);
            tasks.clear();
        }
    }

    private final Echo echo = new Echo();

    private IncomingCalls incoming(Executor executor) {
        CommandTable commands = new CommandTable(null);
        commands.register(echo);
        return new IncomingCalls(null, commands, executor, 1024, false, DecimalLimits.DEFAULT,
                new Replies(SendPolicy.DEFAULT, FrameLimits.DEFAULT_MAX_FRAME_SIZE));
    }

    private static ByteBuf callPayload(String command, Object... args) {
        ByteBuf b = Unpooled.buffer();
        PickleWriter.writeCall(b, command, args, Map.of());
        return b;
    }

    @Test
    void aCallIsDispatchedAndItsReplyWritten() throws Exception {
        Held executor = new Held();
        IncomingCalls incoming = incoming(executor);
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        RunningCalls running = incoming.attach(new CallSource.Registry().join(new Object(), sink), sink);
        ByteBuf payload = callPayload("echo", "hi");

        incoming.call(sink, running, 7, payload);
        assertThat(running.count()).as("a slot taken until it runs").isEqualTo(1);
        assertThat(sink.headers()).isEmpty();
        executor.runAll();

        assertThat(sink.headers()).containsExactly("RETN 7");
        assertThat(sink.payload(0)).isEqualTo("hi");
        assertThat(running.count()).isZero();
        payload.release();
        sink.releaseAll();
    }

    @Test
    void anUnknownCommandIsAnsweredWithAKeyError() throws Exception {
        IncomingCalls incoming = incoming(Runnable::run);
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        RunningCalls running = incoming.attach(new CallSource.Registry().join(new Object(), sink), sink);
        ByteBuf payload = callPayload("nope");

        incoming.call(sink, running, 3, payload);

        assertThat(sink.headers()).containsExactly("EXCP 3");
        assertThat(((Object[]) sink.payload(0))[0].toString()).contains("KeyError");
        assertThat(running.count()).isZero();
        payload.release();
        sink.releaseAll();
    }

    @Test
    void aCancelSkipsACallNotYetStartedAndSendsNothing() {
        Held executor = new Held();
        IncomingCalls incoming = incoming(executor);
        RecordingSink sink = new RecordingSink(Dialect.JAVA);
        RunningCalls running = incoming.attach(new CallSource.Registry().join(new Object(), sink), sink);
        ByteBuf payload = callPayload("echo", "hi");

        incoming.call(sink, running, 7, payload);
        running.cancel(7); // the caller's CNCL, before the executor got to it
        executor.runAll();

        assertThat(echo.calls).as("the method was not run").hasValue(0);
        assertThat(sink.headers()).isEmpty();
        assertThat(running.count()).as("its slot is free").isZero();
        payload.release();
    }

    @Test
    void aLostConnectionLetsItsCallsGoAndTheirSlotsReturnToTheSource() {
        Held executor = new Held();
        IncomingCalls incoming = incoming(executor);
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        CallSource source = new CallSource.Registry().join(new Object(), sink);
        RunningCalls running = incoming.attach(source, sink);
        ByteBuf payload = callPayload("echo", "hi");

        incoming.call(sink, running, 7, payload);
        running.lost();
        assertThat(source.orphans()).as("the call outlives its connection").isEqualTo(1);
        executor.runAll();

        assertThat(echo.calls).hasValue(0);
        assertThat(sink.headers()).isEmpty();
        assertThat(source.orphans()).isZero();
        assertThat(running.count()).isEqualTo(RunningCalls.LOST);
        payload.release();
    }

    @Test
    void theLastSlotPausesReadingAndItsEndResumesIt() {
        CommandTable commands = new CommandTable(null);
        commands.register(echo);
        Held executor = new Held();
        IncomingCalls incoming = new IncomingCalls(null, commands, executor, 1, false, DecimalLimits.DEFAULT,
                new Replies(SendPolicy.DEFAULT, FrameLimits.DEFAULT_MAX_FRAME_SIZE));
        RecordingSink sink = new RecordingSink(Dialect.PYTHON);
        RunningCalls running = incoming.attach(new CallSource.Registry().join(new Object(), sink), sink);
        ByteBuf payload = callPayload("echo", "hi");

        incoming.call(sink, running, 1, payload);
        assertThat(running.full()).isTrue();
        assertThat(sink.reconsidered).as("told to look again when full").isEqualTo(1);
        executor.runAll();

        assertThat(running.full()).isFalse();
        assertThat(sink.reconsidered).as("and when a slot is free again").isEqualTo(2);
        payload.release();
        sink.releaseAll();
    }
}
