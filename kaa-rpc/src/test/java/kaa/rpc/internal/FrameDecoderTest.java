package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What a connection may hold of frames not yet complete: large frames wait
 * for room in the shared receive budget, and a frame must be complete within
 * the frame time-out. Driven on embedded channels, whose clocks the tests
 * move, so nothing here depends on the machine's speed.
 */
class FrameDecoderTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A connection after its handshake, with what reached the end of its pipeline. */
    private static final class Connection {
        final EmbeddedChannel channel;
        final FrameDecoder decoder;
        final List<Packet> packets = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        final AtomicBoolean paused = new AtomicBoolean();

        Connection(ReceiveBudget budget) {
            decoder = new FrameDecoder(1 << 24, new ReadLimit(), paused::get, budget, TIMEOUT);
            channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    packets.add((Packet) msg);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    errors.add(cause);
                }
            });
            decoder.opened();
        }

        void receive(ByteBuf bytes) {
            channel.writeInbound(bytes);
        }

        void later(Duration d) {
            channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
        }

        void release() {
            packets.forEach(p -> p.payload().release());
            packets.clear();
            channel.finishAndReleaseAll();
        }
    }

    private static ByteBuf header(int length) {
        ByteBuf b = Unpooled.buffer(12);
        Packet.writeHeader(b, 1, Packet.CALL, length);
        return b;
    }

    private static ByteBuf frame(int length) {
        return Unpooled.wrappedBuffer(header(length), Unpooled.wrappedBuffer(new byte[length]));
    }

    @Test
    void aFrameThatStallsPastTheTimeOutClosesItsConnection() {
        Connection c = new Connection(new ReceiveBudget(Long.MAX_VALUE));
        c.receive(Unpooled.wrappedBuffer(header(1000), Unpooled.wrappedBuffer(new byte[400])));
        c.later(TIMEOUT.minusSeconds(1));
        assertThat(c.channel.isOpen()).isTrue();
        c.later(Duration.ofSeconds(2));
        assertThat(c.channel.isOpen()).isFalse();
        assertThat(c.errors).singleElement().asString().contains("peer sent only 400 of the 1000 bytes of a frame")
                .contains("frameTimeout");
        c.release();
    }

    @Test
    void eachFrameHasItsOwnDeadlineAndCompleteFramesHaveNone() {
        Connection c = new Connection(new ReceiveBudget(Long.MAX_VALUE));
        c.receive(frame(10));
        c.later(TIMEOUT.multipliedBy(3));
        assertThat(c.channel.isOpen()).isTrue();
        // a frame that keeps arriving, each part within the time-out but all of it not, is cut off
        c.receive(header(100));
        int parts = 0;
        while (parts < 9) {
            c.later(TIMEOUT.dividedBy(5).plusMillis(1));
            if (!c.channel.isOpen()) {
                break;
            }
            c.receive(Unpooled.wrappedBuffer(new byte[10]));
            parts++;
        }
        assertThat(parts).isEqualTo(4);
        assertThat(c.channel.isOpen()).isFalse();
        assertThat(c.packets).hasSize(1);
        c.release();
    }

    @Test
    void timeSpentPausedByUsDoesNotCount() {
        Connection c = new Connection(new ReceiveBudget(Long.MAX_VALUE));
        c.paused.set(true);
        c.receive(Unpooled.wrappedBuffer(frame(10), header(100)));
        c.later(TIMEOUT.multipliedBy(2));
        assertThat(c.channel.isOpen()).isTrue();
        c.paused.set(false);
        c.decoder.resume();
        assertThat(c.packets).hasSize(1);
        c.receive(Unpooled.wrappedBuffer(new byte[100]));
        assertThat(c.packets).hasSize(2);
        c.release();
    }

    @Test
    void largeFramesWaitForRoomInTheSharedBudgetAndSmallOnesDoNot() {
        int large = 200_000;
        ReceiveBudget budget = new ReceiveBudget(300_000);
        Connection first = new Connection(budget);
        Connection second = new Connection(budget);
        Connection small = new Connection(budget);

        first.receive(Unpooled.wrappedBuffer(header(large), Unpooled.wrappedBuffer(new byte[1000])));
        assertThat(budget.reserved()).isEqualTo(large + 12);
        second.receive(Unpooled.wrappedBuffer(header(large), Unpooled.wrappedBuffer(new byte[1000])));
        assertThat(budget.reserved()).isEqualTo(large + 12);
        assertThat(second.channel.config().isAutoRead()).isFalse();
        assertThat(second.decoder.waitingForBudget()).isTrue();

        small.receive(frame(FrameDecoder.SMALL_FRAME - 12));
        assertThat(small.packets).hasSize(1);

        // waiting is not the peer's fault: no deadline runs meanwhile
        second.later(TIMEOUT.multipliedBy(2));
        assertThat(second.channel.isOpen()).isTrue();

        first.receive(Unpooled.wrappedBuffer(new byte[large - 1000]));
        assertThat(first.packets).hasSize(1);
        second.channel.runPendingTasks(); // the grant hops to the second connection's thread
        assertThat(budget.reserved()).isEqualTo(large + 12);
        assertThat(second.channel.config().isAutoRead()).isTrue();
        second.receive(Unpooled.wrappedBuffer(new byte[large - 1000]));
        assertThat(second.packets).hasSize(1);
        assertThat(budget.reserved()).isZero();

        first.release();
        second.release();
        small.release();
    }

    @Test
    void aConnectionThatGoesGivesItsReservationOrItsPlaceBack() {
        ReceiveBudget budget = new ReceiveBudget(300_000);
        Connection holder = new Connection(budget);
        Connection waiter = new Connection(budget);
        Connection next = new Connection(budget);
        holder.receive(Unpooled.wrappedBuffer(header(250_000), Unpooled.wrappedBuffer(new byte[10])));
        waiter.receive(header(250_000));
        next.receive(header(100_000));
        assertThat(budget.reserved()).isEqualTo(250_012);

        waiter.channel.close(); // leaves the queue
        holder.channel.close(); // gives its reservation back: the next in line has it
        next.channel.runPendingTasks();
        assertThat(budget.reserved()).isEqualTo(100_012);
        assertThat(next.decoder.waitingForBudget()).isFalse();
        next.channel.close();
        assertThat(budget.reserved()).isZero();
        holder.release();
        waiter.release();
        next.release();
    }

    @Test
    void aFrameLargerThanTheWholeBudgetPassesAlone() {
        ReceiveBudget budget = new ReceiveBudget(100_000);
        Connection c = new Connection(budget);
        c.receive(frame(150_000));
        assertThat(c.packets).hasSize(1);
        assertThat(budget.reserved()).isZero();
        c.release();
    }
}
