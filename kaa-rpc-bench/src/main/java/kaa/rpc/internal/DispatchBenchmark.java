package kaa.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kaa.rpc.Expose;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.dispatch.ExposedMethod;
import kaa.rpc.internal.frame.FrameDecoder;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.pickle.PickleWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The rest of the per-call path: framing (splitting a read into packets),
 * argument binding, and dispatch (look-up, overload choice, binding, invocation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBenchmark {

    public static class Service {
        @Expose
        public Object echo(Object x) {
            return x;
        }

        @Expose
        public long add(long a, long b) {
            return a + b;
        }
    }

    private CommandTable commands;
    private ExposedMethod add;
    private EmbeddedChannel framing;
    private ByteBuf threeFrames;
    private final Object[] echoArgs = {"0123456789abcdef"};
    private final Object[] addArgs = {2, 3};

    @Setup
    public void setUp() {
        commands = new CommandTable(null);
        commands.register(new Service());
        add = commands.lookup("add")[0];
        framing = new EmbeddedChannel(new FrameDecoder(1 << 20));
        ((FrameDecoder) framing.pipeline().first()).opened();
        threeFrames = Unpooled.buffer();
        for (int i = 1; i <= 3; i++) {
            ByteBuf payload = Unpooled.buffer();
            PickleWriter.writeCall(payload, "echo", echoArgs, Map.of());
            Packet.writeHeader(threeFrames, i, Packet.CALL, payload.readableBytes());
            threeFrames.writeBytes(payload);
        }
    }

    /** Three small CALL frames arriving in one read, split and handed on. */
    @Benchmark
    public int frameThreePackets() {
        framing.writeInbound(threeFrames.retainedDuplicate());
        int n = 0;
        Packet p;
        while ((p = framing.readInbound()) != null) {
            n += p.payload().readableBytes();
            p.payload().release();
        }
        return n;
    }

    /** Converting the wire arguments of {@code add(2, 3)} to {@code (long, long)}. */
    @Benchmark
    public Object[] bindAdd() throws ExposedMethod.BindingException {
        return add.bind(null, addArgs, Map.of());
    }

    /** Look-up, overload choice, binding and invocation of {@code echo('0123456789abcdef')}. */
    @Benchmark
    public Object dispatchEcho() throws Throwable {
        ExposedMethod[] overloads = commands.lookup("echo");
        ExposedMethod m = CommandTable.select("echo", overloads, echoArgs.length, 0);
        return m.invoke(m.bind(null, echoArgs, Map.of()));
    }
}
