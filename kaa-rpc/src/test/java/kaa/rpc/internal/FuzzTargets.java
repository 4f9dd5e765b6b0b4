package kaa.rpc.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import kaa.rpc.Expose;

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

    /** Arbitrary bytes offered to both sides of the handshake: they may close, never throw. */
    @FuzzTest(maxDuration = "10s")
    void handshake(byte[] data) {
        for (boolean server : new boolean[] {true, false}) {
            FrameDecoder frames = new FrameDecoder(1 << 16);
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.pipeline().addLast(frames, new HandshakeHandler(server, "s".getBytes(), Duration.ofSeconds(10), frames),
                    new io.netty.channel.ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                            // the handshake's verdict; closing is its job
                        }

                        @Override
                        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
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
                io.netty.util.ReferenceCountUtil.release(out);
            }
            finish(ch);
        }
    }

    private static final List<Type> TARGETS = List.of(Object.class, int.class, long.class, String.class,
            byte[].class, int[].class, List.class, Map.class, Set.class, Point.class, Double.class);

    record Point(int x, int y) {
    }

    /** Arbitrary pickles decoded, converted to assorted Java types and encoded again. */
    @FuzzTest(maxDuration = "10s")
    void pickles(byte[] data) {
        Object value;
        try {
            value = Unpickling.load(data);
        } catch (MalformedPickleException expected) {
            return;
        }
        for (Type t : TARGETS) {
            try {
                Values.convert(value, t);
            } catch (ConversionException expected) {
                // a value that does not fit
            }
        }
        io.netty.buffer.ByteBuf out = Unpooled.buffer();
        try {
            Pickling.write(out, value);
            Unpickling.load(out);
        } catch (IllegalArgumentException | MalformedPickleException expected) {
            // e.g. a decoded value too deep to send back
        } finally {
            out.release();
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

    private static final Commands COMMANDS = new Commands(null);

    static {
        COMMANDS.register(new Service());
    }

    /** Arbitrary arguments (a pickled tuple and dict) bound to exposed methods: only binding errors may come out. */
    @FuzzTest(maxDuration = "10s")
    void binding(FuzzedDataProvider data) {
        String command = data.pickValue(new String[] {"add", "greet", "count"});
        Object decoded;
        try {
            decoded = Unpickling.load(data.consumeRemainingAsBytes());
        } catch (MalformedPickleException expected) {
            return;
        }
        Object[] args = decoded instanceof Object[] ? (Object[]) decoded : new Object[] {decoded};
        Map<String, Object> kwargs = Map.of();
        if (args.length == 2 && args[1] instanceof Map && args[0] instanceof Object[]) {
            try {
                kwargs = Values.stringKeys((Map<?, ?>) args[1]);
                args = (Object[]) args[0];
            } catch (ConversionException expected) {
                return;
            }
        }
        Object[] bound;
        ExposedMethod m;
        try {
            m = Commands.select(command, COMMANDS.lookup(command), args.length, kwargs.size());
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
