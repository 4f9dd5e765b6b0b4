package kaa.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.pickle.MalformedPickleException;
import kaa.rpc.internal.pickle.PickleReader;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-call codec work: a small CALL {@code ('echo', ('0123456789abcdef',), {})}
 * and its RETN, encoded into a pooled buffer (header included) and decoded.
 * Goal: a small CALL encoded and decoded in under 1 microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    private static final Object[] ARGS = {"0123456789abcdef"};
    private ByteBuf call;
    private ByteBuf retn;

    @Setup
    public void setUp() {
        call = PooledByteBufAllocator.DEFAULT.buffer();
        PickleWriter.writeCall(call, "echo", ARGS, Map.of());
        retn = PooledByteBufAllocator.DEFAULT.buffer();
        PickleWriter.write(retn, ARGS[0]);
    }

    @TearDown
    public void tearDown() {
        call.release();
        retn.release();
    }

    @Benchmark
    public int encodeCall() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer();
        Packet.writeHeader(b, 1, Packet.CALL, 0);
        PickleWriter.writeCall(b, "echo", ARGS, Map.of());
        Packet.patchLength(b, 0);
        int n = b.readableBytes();
        b.release();
        return n;
    }

    @Benchmark
    public Object decodeCall() throws MalformedPickleException {
        return PickleReader.load(call);
    }

    @Benchmark
    public Object encodeAndDecodeCall() throws MalformedPickleException {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer();
        PickleWriter.writeCall(b, "echo", ARGS, Map.of());
        Object v = PickleReader.load(b);
        b.release();
        return v;
    }

    @Benchmark
    public int encodeReturn() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer();
        Packet.writeHeader(b, 1, Packet.RETN, 0);
        PickleWriter.write(b, ARGS[0]);
        Packet.patchLength(b, 0);
        int n = b.readableBytes();
        b.release();
        return n;
    }

    @Benchmark
    public Object decodeReturn() throws MalformedPickleException {
        return PickleReader.load(retn);
    }
}
