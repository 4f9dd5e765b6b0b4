package kaa.rpc.internal.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A frame over {@link FrameDecoder#SMALL_FRAME} and up to 4 MiB is received
 * into a buffer of its own size, which the socket's reads fill in place: its bytes arrive
 * whole and in order with the frames around it, whatever pauses come
 * between, and its buffer is freed however the connection ends.
 */
@Isolated // one test measures the pools' direct memory, which every test shares
class SizedFrameTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int LARGE = 300_000;

    /** A connection after its handshake; {@code inFront} stands for a TLS handler before the decoder. */
    private static final class Connection {
        final EmbeddedChannel channel;
        final FrameDecoder decoder;
        final ReceiveBudget budget = new ReceiveBudget(Long.MAX_VALUE);
        final List<Packet> packets = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        final AtomicBoolean busy = new AtomicBoolean();

        Connection(boolean inFront) {
            this(inFront, 1 << 24);
        }

        Connection(boolean inFront, long maxPayload) {
            decoder = new FrameDecoder(maxPayload, new ReadLimit(), busy::get, () -> false, budget, new Object(),
                    TIMEOUT);
            ChannelInboundHandlerAdapter end = new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    packets.add((Packet) msg);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    errors.add(cause);
                }
            };
            channel = inFront ? new EmbeddedChannel(new ChannelInboundHandlerAdapter(), decoder, end)
                    : new EmbeddedChannel(decoder, end);
            decoder.opened();
        }

        void receive(ByteBuf bytes) {
            channel.writeInbound(bytes);
        }

        /** As the socket does: reads up to {@code n} bytes of {@code from} into what the decoder lends. */
        void readInPlace(ByteBuf from, int n) {
            ByteBuf into = decoder.lend();
            assertThat(into).as("a buffer lent for the read").isNotNull();
            assertThat(into.readableBytes()).isZero();
            into.writeBytes(from, Math.min(n, into.writableBytes()));
            channel.writeInbound(into);
        }

        List<byte[]> payloads() {
            List<byte[]> out = new ArrayList<>();
            for (Packet p : packets) {
                out.add(ByteBufUtil.getBytes(p.payload()));
            }
            return out;
        }

        void release() {
            packets.forEach(p -> p.payload().release());
            packets.clear();
            channel.finishAndReleaseAll();
        }
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ByteBuf frame(int seq, byte[] payload) {
        ByteBuf b = Unpooled.buffer(12 + payload.length);
        Packet.writeHeader(b, seq, Packet.CALL, payload.length);
        return b.writeBytes(payload);
    }

    @Test
    void aLargeFrameReadInPlaceArrivesWholeAndWhatFollowsIsDecodedAsUsual() {
        Connection c = new Connection(false);
        byte[] large = bytes(LARGE, 1);
        byte[] small = bytes(100, 2);
        ByteBuf wire = Unpooled.wrappedBuffer(frame(1, large), frame(2, small));
        c.receive(wire.readRetainedSlice(5_000)); // the first read: a buffer of the usual size
        ByteBuf first = c.decoder.lend();
        assertThat(first.writableBytes()).as("the rest of a frame under 1 MiB").isEqualTo(12 + LARGE - 5_000);
        first.release(); // no read came of it
        c.readInPlace(wire, 100_000);
        assertThat(c.packets).isEmpty();
        while (c.packets.isEmpty()) {
            c.readInPlace(wire, Integer.MAX_VALUE); // it grows as the bytes come, never past the frame's end
        }
        assertThat(c.payloads()).containsExactly(large);
        assertThat(c.decoder.lend()).as("no frame being received").isNull();
        c.receive(wire);
        assertThat(c.payloads()).containsExactly(large, small);
        assertThat(c.budget.reserved()).isZero();
        c.release();
    }

    @Test
    void framesInTheSameBufferAsALargeFramesEndComeAfterIt() {
        Connection c = new Connection(false);
        byte[] large = bytes(LARGE, 3);
        byte[] one = bytes(10, 4);
        byte[] two = bytes(20_000, 5);
        ByteBuf wire = Unpooled.wrappedBuffer(frame(1, large), frame(2, one), frame(3, two));
        c.receive(wire.readRetainedSlice(70_000));
        c.receive(wire.readRetainedSlice(LARGE - 60_000)); // the frame's end, the next frame, part of the one after
        assertThat(c.payloads()).containsExactly(large, one);
        c.receive(wire);
        assertThat(c.payloads()).containsExactly(large, one, two);
        assertThat(c.packets).extracting(Packet::seq).containsExactly(1, 2, 3);
        c.release();
    }

    @Test
    void aLargeFrameCompletedWhileReadingIsPausedWaitsAndStillGoesFirst() {
        Connection c = new Connection(false);
        byte[] large = bytes(LARGE, 6);
        byte[] small = bytes(50, 7);
        ByteBuf wire = Unpooled.wrappedBuffer(frame(1, large), frame(2, small));
        c.receive(wire.readRetainedSlice(100_000));
        c.busy.set(true); // the peer's calls fill their slots: nothing is handed on
        c.receive(wire);
        assertThat(c.packets).isEmpty();
        c.busy.set(false);
        c.decoder.updateReading();
        c.channel.runPendingTasks();
        assertThat(c.payloads()).containsExactly(large, small);
        c.release();
    }

    @Test
    void noReadIsLentWhenAnotherHandlerReadsTheSocketFirst() {
        Connection c = new Connection(true);
        byte[] large = bytes(LARGE, 8);
        ByteBuf wire = frame(1, large);
        c.receive(wire.readRetainedSlice(1_000));
        assertThat(c.decoder.lend()).isNull(); // its bytes are not the frame's (TLS: ciphertext)
        c.receive(wire);
        assertThat(c.payloads()).containsExactly(large);
        c.release();
    }

    @Test
    void aConnectionThatEndsMidFrameFreesTheFramesBufferAndReservation() {
        Connection c = new Connection(false);
        ByteBuf wire = frame(1, bytes(LARGE, 9));
        c.receive(wire.readRetainedSlice(1_000));
        assertThat(c.budget.reserved()).isEqualTo(12 + LARGE);
        ByteBuf lent = c.decoder.lend(); // a read in progress holds this part of the frame's buffer
        ByteBuf frameBuffer = lent.unwrap();
        c.channel.close();
        assertThat(c.budget.reserved()).isZero();
        assertThat(lent.refCnt()).as("the read's part stays valid until it lets go").isPositive();
        lent.release();
        assertThat(frameBuffer.refCnt()).as("then the frame's buffer is freed").isZero();
        wire.release();
        c.release();
    }

    @Test
    void aLargeFrameThatStallsIsReportedWithWhatArrived() {
        Connection c = new Connection(false);
        ByteBuf wire = frame(1, bytes(LARGE, 10));
        c.receive(wire.readRetainedSlice(12 + 200_000));
        c.channel.advanceTimeBy(TIMEOUT.plusSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
        c.channel.runScheduledPendingTasks();
        assertThat(c.channel.isOpen()).isFalse();
        assertThat(c.errors).singleElement().asString()
                .contains("peer sent only 200000 of the " + LARGE + " bytes of a frame");
        assertThat(c.budget.reserved()).isZero();
        wire.release();
        c.release();
    }

    @Test
    void aFrameOverFourMiBGathersAsItsBytesComeAndArrivesWhole() {
        Connection c = new Connection(false);
        byte[] huge = bytes(5 << 20, 11);
        ByteBuf wire = frame(1, huge);
        c.receive(wire.readRetainedSlice(1_000));
        assertThat(c.decoder.lend()).as("no buffer of its size is taken for a header alone").isNull();
        while (wire.readableBytes() > 300_000) {
            c.receive(wire.readRetainedSlice(300_000));
        }
        c.receive(wire);
        assertThat(c.payloads()).containsExactly(huge);
        assertThat(c.budget.reserved()).isZero();
        c.release();
    }

    @Test
    void aHeaderAloneHoldsNoMoreThanTheBuffersFirstSize() {
        Connection c = new Connection(false);
        long before = Packet.directMemoryInUse();
        ByteBuf header = Unpooled.buffer(12);
        Packet.writeHeader(header, 1, Packet.CALL, 4_000_000);
        c.receive(header);
        assertThat(c.budget.reserved()).isEqualTo(4_000_012); // the bound it may reach
        assertThat(Packet.directMemoryInUse() - before).as("held for a 12-byte header").isLessThanOrEqualTo(1 << 20);
        // then it grows with what arrives, never to more than four times that
        c.receive(Unpooled.wrappedBuffer(new byte[400_000]));
        assertThat(Packet.directMemoryInUse() - before).isLessThanOrEqualTo(1_600_000 + 12);
        c.release();
    }

    @Test
    void aFrameTooLargeForOneBufferIsRefusedAsTooLong() {
        Connection c = new Connection(false, Integer.MAX_VALUE);
        ByteBuf header = Unpooled.buffer(16);
        Packet.writeHeader(header, 1, Packet.CALL, Integer.MAX_VALUE - 5);
        c.receive(header.writeInt(0));
        c.release();
        assertThat(c.errors).isNotEmpty();
        assertThat(c.errors.get(0)).isInstanceOf(TooLongFrameException.class).hasMessageContaining("more than one buffer");
    }
}
