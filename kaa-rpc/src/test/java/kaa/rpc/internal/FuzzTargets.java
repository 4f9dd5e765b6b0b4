package kaa.rpc.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import kaa.rpc.Expose;
import kaa.rpc.internal.convert.ConversionException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.dispatch.ExposedMethod;
import kaa.rpc.internal.frame.FrameDecoder;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.handshake.HandshakeHandler;
import kaa.rpc.internal.handshake.HandshakePeer;
import kaa.rpc.internal.pickle.Bombs;
import kaa.rpc.internal.pickle.MalformedPickleException;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.Python;
import kaa.rpc.internal.pickle.SendPolicy;
import kaa.rpc.internal.value.GraphCheck;
import kaa.rpc.internal.value.Limits;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.WorkBudget;
import kaa.rpc.internal.value.WorkLimitException;

/**
 * Fuzz targets for the parts that read bytes from the network. In the test
 * suite they run over the committed corpus in
 * {@code src/test/resources/kaa/rpc/internal/FuzzTargetsInputs/}; to fuzz one
 * for a while: {@code JAZZER_FUZZ=1 mvn test -Dtest=FuzzTargets#frames
 * -Djazzer.max_duration=10m -Dtest.timeout="1 h"} in {@code kaa-rpc/} (see docs/SECURITY.md).
 */
class FuzzTargets {

    /** Arbitrary bytes split into frames, before and after the handshake: only decoder errors may come out. */
    @FuzzTest(maxDuration = "10s")
    void frames(byte[] data) {
        for (boolean open : new boolean[] {false, true}) {
            FrameDecoder decoder = new FrameDecoder(1 << 16);
            EmbeddedChannel ch = new EmbeddedChannel(decoder);
            if (open) {
                decoder.opened();
            }
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(data));
            } catch (DecoderException expected) {
                // a frame over the limit
            }
            Packet p;
            while ((p = ch.readInbound()) != null) {
                p.payload().release();
            }
            finish(ch);
        }
    }

    /** Closes the test channel; a decoder error raised again at close is what the live pipeline closes on. */
    private static void finish(EmbeddedChannel ch) {
        try {
            ch.finishAndReleaseAll();
        } catch (DecoderException expected) {
            // the same verdict once more, from decodeLast
        }
    }

    /** A connection that only names its peer. */
    private static final HandshakePeer SILENT_PEER = new HandshakePeer() {
        @Override
        public void spoke() {
        }

        @Override
        public String peer() {
            return "fuzz";
        }
    };

    /** Arbitrary bytes offered to both sides of the handshake: they may close, never throw. */
    @FuzzTest(maxDuration = "10s")
    void handshake(byte[] data) {
        for (boolean server : new boolean[] {true, false}) {
            FrameDecoder frames = new FrameDecoder(1 << 16);
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.pipeline().addLast(frames, new HandshakeHandler(SILENT_PEER, server, "s".getBytes(), Duration.ofSeconds(10), frames),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            // the handshake's verdict; closing is its job
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ((Packet) msg).payload().release();
                        }
                    });
            ch.pipeline().fireChannelActive();
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(data));
            } catch (DecoderException expected) {
                // oversized before the handshake
            }
            Object out;
            while ((out = ch.readOutbound()) != null) {
                ReferenceCountUtil.release(out);
            }
            finish(ch);
        }
    }

    private static final List<Type> TARGETS = List.of(Object.class, int.class, long.class, String.class,
            byte[].class, int[].class, List.class, Map.class, Set.class, Point.class, Double.class,
            BigDecimal.class);

    record Point(int x, int y) {
    }

    /** Every Python object may be sent back here: the fuzzing is of the writer, not of the default policy. */
    private static final SendPolicy EVERY_OBJECT = SendPolicy.allowing((module, name) -> true);

    /** Allocation allowed per payload byte, beyond a fixed allowance: far above honest values, far below a bomb. */
    private static final long ALLOCATED_PER_BYTE = 4096;
    private static final long ALLOCATED_BASE = 16L << 20;

    /**
     * Arbitrary pickles decoded, converted to assorted Java types, encoded
     * again and rendered. Oracles: only the documented refusals come out
     * (malformed, work limit, does not fit); the echo of what was accepted
     * is at most a fixed multiple of the input (sharing is kept) and reads
     * back to the same bytes; a rendering is bounded; and the memory
     * allocated on the way, measured by the JVM, not by the code under test,
     * stays under a fixed multiple of the input. And time, as work: each
     * stage (decoding, every conversion) stays within the work allowed for
     * the input's size, or is refused so, and what the numbers that came out
     * invite (see {@link #invited}) does too, so that no input holds a thread,
     * here or in the service that computes with it, out of proportion to its
     * size.
     */
    @FuzzTest(maxDuration = "10s")
    @DictionaryFile(resourcePath = "/kaa/rpc/internal/pickle.dict")
    void pickles(byte[] data) {
        long allocatedBefore = allocated();
        Object value;
        try {
            value = PickleReader.load(Unpooled.wrappedBuffer(data), WorkBudget.forPayload(data.length));
        } catch (MalformedPickleException expected) {
            checkAllocation(allocatedBefore, data.length);
            return;
        }
        invited(value, data.length);
        for (Type t : TARGETS) {
            try {
                invited(Conversions.conversion(WorkBudget.forPayload(data.length)).convert(value, t), data.length);
            } catch (ConversionException | WorkLimitException expected) {
                // a value that does not fit, or that costs more than its bytes to convert
            }
        }
        if (Repr.repr(value).length() > Limits.REPR_LIMIT) {
            throw new AssertionError("rendering over its limit: " + Repr.repr(value));
        }
        ByteBuf out = Unpooled.buffer();
        try {
            PickleWriter.write(out, value, false, EVERY_OBJECT);
            if (out.readableBytes() > 16L * data.length + 1024) {
                throw new AssertionError("echo of " + out.readableBytes() + " bytes for " + data.length);
            }
            byte[] echo = ByteBufUtil.getBytes(out);
            Object again = PickleReader.load(echo);
            ByteBuf twice = Unpooled.buffer();
            PickleWriter.write(twice, again, false, EVERY_OBJECT);
            if (!ByteBufUtil.equals(out, twice)) {
                throw new AssertionError("the echo does not read back to itself");
            }
            twice.release();
        } catch (IllegalArgumentException expected) {
            // a decoded value too deep to send back
        } catch (MalformedPickleException e) {
            throw new AssertionError("our own echo is refused: " + e.getMessage(), e);
        } finally {
            out.release();
        }
        checkAllocation(allocatedBefore, data.length);
    }

    /**
     * The work that the numbers in {@code value} invite, in {@link WorkBudget}'s
     * units (16 digits each), each distinct part counted once: a Decimal's
     * digits written out in full (what adding another to it aligns), an
     * int's digits. Over the allowance of the input's size, it fails: a
     * 76-byte {@code Decimal('1e30000000')} made {@code a.add(b)} take a
     * minute.
     */
    static long invited(Object value, int size) {
        WorkBudget work = WorkBudget.forPayload(size);
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.push(value == null ? List.of() : value);
        try {
            while (!todo.isEmpty()) {
                Object v = todo.pop();
                if (v instanceof BigDecimal) {
                    BigDecimal d = (BigDecimal) v;
                    work.charge(d.unscaledValue().bitLength() / 48 + Math.abs((long) d.scale()) / 16);
                } else if (v instanceof BigInteger) {
                    work.charge(((BigInteger) v).bitLength() / 48);
                } else if (GraphCheck.isContainer(v) && seen.add(v)) {
                    work.charge(1);
                    Iterable<?> parts = v instanceof Object[] ? Arrays.asList((Object[]) v)
                            : v instanceof Map ? ((Map<?, ?>) v).entrySet() : v instanceof PyObject
                            ? List.of(Arrays.asList(((PyObject) v).args()), ((PyObject) v).state())
                            : (Iterable<?>) v;
                    for (Object part : parts) {
                        if (part instanceof Map.Entry) {
                            pushPart(todo, ((Map.Entry<?, ?>) part).getKey());
                            pushPart(todo, ((Map.Entry<?, ?>) part).getValue());
                        } else {
                            pushPart(todo, part);
                        }
                    }
                }
            }
        } catch (WorkLimitException e) {
            throw new AssertionError("the numbers of a " + size + "-byte pickle invite more work than it may have: "
                    + e.getMessage(), e);
        }
        return work.used();
    }

    private static void pushPart(ArrayDeque<Object> todo, Object part) {
        if (part instanceof Number || GraphCheck.isContainer(part)) {
            todo.push(part);
        }
    }

    /** The JVM's count of bytes this thread allocated (read reflectively: the module reads no management API). */
    private static final MethodHandle ALLOCATED = allocatedBytes();

    private static MethodHandle allocatedBytes() {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Method m = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes");
            return MethodHandles.publicLookup().unreflect(m).bindTo(threads);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("this JVM does not count allocated bytes", e);
        }
    }

    private static long allocated() {
        try {
            return (long) ALLOCATED.invoke();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static {
        // load and initialise what the pickle target uses, so that no input is charged for it
        for (Object[] c : Bombs.all(3)) {
            byte[] warm = Bombs.pickle(Bombs.value((Bombs.Container) c[0], (Bombs.Sharing) c[1], (int) c[2]));
            try {
                Object v = PickleReader.load(warm);
                for (Type t : TARGETS) {
                    try {
                        Conversions.conversion(WorkBudget.forPayload(warm.length)).convert(v, t);
                    } catch (ConversionException | WorkLimitException ignored) {
                        // warming up
                    }
                }
                ByteBuf out = Unpooled.buffer();
                PickleWriter.write(out, v, false, EVERY_OBJECT); // as the target writes
                PickleReader.load(out);
                out.release();
                Repr.repr(v);
            } catch (MalformedPickleException ignored) {
                // warming up
            }
        }
        try {
            PickleReader.load(new byte[] {(byte) 0xff});
        } catch (MalformedPickleException ignored) {
            // warming up
        }
    }

    private static void checkAllocation(long before, int size) {
        long used = allocated() - before;
        if (used > ALLOCATED_BASE + ALLOCATED_PER_BYTE * size) {
            throw new AssertionError(used + " bytes allocated for a " + size + "-byte pickle");
        }
    }

    public static class Service {
        @Expose
        public int add(int a, int b) {
            return a + b;
        }

        @Expose
        public String greet(String name, String greeting) {
            return greeting + name;
        }

        @Expose
        public int count(List<Point> points, Map<String, Long> weights, byte[] data) {
            return points.size() + weights.size() + data.length;
        }
    }

    private static final CommandTable COMMANDS = new CommandTable(null);

    static {
        COMMANDS.register(new Service());
    }

    /** Arbitrary arguments (a pickled tuple and dict) bound to exposed methods: only binding errors may come out. */
    @FuzzTest(maxDuration = "10s")
    void binding(FuzzedDataProvider data) {
        String command = data.pickValue(new String[] {"add", "greet", "count"});
        Object decoded;
        try {
            decoded = PickleReader.load(data.consumeRemainingAsBytes());
        } catch (MalformedPickleException expected) {
            return;
        }
        Object[] args = decoded instanceof Object[] ? (Object[]) decoded : new Object[] {decoded};
        Map<String, Object> kwargs = Map.of();
        if (args.length == 2 && args[1] instanceof Map && args[0] instanceof Object[]) {
            try {
                kwargs = Conversions.stringKeys((Map<?, ?>) args[1]);
                args = (Object[]) args[0];
            } catch (ConversionException expected) {
                return;
            }
        }
        Object[] bound;
        ExposedMethod m;
        try {
            m = CommandTable.select(command, COMMANDS.lookup(command), args.length, kwargs.size());
            bound = m.bind(null, args, kwargs);
        } catch (ExposedMethod.BindingException expected) {
            return; // arguments that do not fit
        } catch (RuntimeException e) {
            throw new AssertionError("binding " + command + " failed unexpectedly", e);
        }
        try {
            m.invoke(bound);
        } catch (Throwable fromTheMethod) {
            // the service's own verdict (None for a list, say): answered as an EXCP in a session
        }
    }
}
