package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Over a real socket (the transport's own
 * read loop, so reads are lent the large frame's buffer), a hostile peer
 * sends a stream of small and large frames, valid and malformed pickles,
 * frames of 64 KiB and a byte more, cut into writes at random points, while
 * other connections announce large frames and go away mid-frame, and
 * reading pauses (two calls at a time) while frames are being received. Every call
 * is answered with its own bytes (or an EXCP for a malformed one), the shared
 * receive budget is all given back, and no buffer leaks.
 */
@Isolated
@Execution(ExecutionMode.SAME_THREAD) // the leak detector's listener is one for the JVM
class LargeFrameStreamTest {

    public static final class Echo {
        @Expose
        public byte[] echo(byte[] b) {
            return b;
        }
    }

    /** A frame of a test class other than this one in a leak's creation record. */
    private static final Pattern OTHER_TEST =
            Pattern.compile("kaa\\.rpc\\.(?:\\w+\\.)*(?!LargeFrameStreamTest\\.)\\w+Test\\.");

    @Test
    void aHostileStreamOfLargeAndSmallFramesIsAnsweredWholeAndLeavesNothingBehind() throws Exception {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        List<String> leaks = new CopyOnWriteArrayList<>();
        AtomicInteger leaked = new AtomicInteger();
        Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
        f.setAccessible(true);
        ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) f.get(null);
        // the detector is the JVM's: a buffer another test forgot, collected now, is reported to whoever allocates
        // next; those are that test's to answer, and are named on stderr, not counted here
        detector.setLeakListener((type, records) -> {
            if (OTHER_TEST.matcher(records).find()) {
                System.err.println("a buffer leaked by another test: " + records);
            } else {
                leaks.add(records);
                leaked.incrementAndGet();
            }
        });
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try (Server server = Server.builder("127.0.0.1:0").secret("s").receiveBudget(3 << 20)
                .maxConcurrentCalls(2).register(new Echo()).listen()) {
            Random random = new Random(7);
            for (int round = 0; round < 2; round++) {
                // others that announce large frames, send part, and go away
                for (int i = 0; i < 3; i++) {
                    try (RawPeer quitter = new RawPeer(server.address()).authenticate("s")) {
                        byte[] part = WireFrames.frame(1, "CALL", 1 << 20, new byte[1000 + random.nextInt(200_000)]);
                        quitter.sendRaw(part);
                    }
                }
                try (RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
                    ByteArrayOutputStream stream = new ByteArrayOutputStream();
                    Map<Integer, byte[]> expected = new HashMap<>();
                    int frames = 40;
                    for (int seq = 1; seq <= frames; seq++) {
                        int kind = random.nextInt(6);
                        if (kind == 0) { // malformed: random bytes past 64 KiB, read in place
                            byte[] junk = new byte[65_536 + random.nextInt(300_000)];
                            random.nextBytes(junk);
                            junk[0] = (byte) 0x80; // PROTO
                            junk[1] = 2;
                            stream.writeBytes(WireFrames.frame(seq, "CALL", junk));
                            expected.put(seq, null);
                        } else {
                            int size = switch (kind) {
                                case 1 -> random.nextInt(100);
                                case 2 -> 65_536 - 12 - 40 + random.nextInt(80); // around the 64 KiB line
                                default -> 65_536 + random.nextInt(1_200_000);
                            };
                            byte[] b = new byte[size];
                            random.nextBytes(b);
                            stream.writeBytes(WireFrames.callFrame(seq, "echo", (Object) b));
                            expected.put(seq, b);
                        }
                    }
                    byte[] all = stream.toByteArray();
                    for (int at = 0; at < all.length; ) {
                        int n = Math.min(all.length - at, 1 + random.nextInt(random.nextBoolean() ? 300 : 200_000));
                        peer.sendRaw(Arrays.copyOfRange(all, at, at + n));
                        at += n;
                    }
                    for (int i = 0; i < frames; i++) {
                        WireFrames.Frame answer = peer.read();
                        byte[] want = expected.remove(answer.seq());
                        if (want == null) {
                            assertThat(answer.type()).as("answer to malformed call %d", answer.seq()).isEqualTo("EXCP");
                        } else {
                            assertThat(answer.type()).isEqualTo("RETN");
                            assertThat((byte[]) answer.value()).as("echo of call %d", answer.seq()).isEqualTo(want);
                        }
                    }
                    assertThat(expected).isEmpty();
                }
            }
            // a frame larger than the whole budget is received only when nothing else is reserved
            try (RawPeer probe = new RawPeer(server.address()).authenticate("s")) {
                byte[] b = new byte[(3 << 20) + 1];
                b[b.length - 1] = 9;
                probe.call(1, "echo", (Object) b);
                WireFrames.Frame answer = probe.read();
                assertThat(answer.type()).as("the budget is all given back").isEqualTo("RETN");
                assertThat((byte[]) answer.value()).isEqualTo(b);
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
        for (int round = 0; round < 10; round++) {
            System.gc();
            for (int i = 0; i < 100; i++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(64);
                b.release();
            }
        }
        assertThat(leaked.get()).as("buffers leaked: %s", leaks).isZero();
    }
}
