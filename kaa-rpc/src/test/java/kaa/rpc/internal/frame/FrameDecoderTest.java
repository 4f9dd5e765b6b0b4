package kaa.rpc.internal.frame;

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
import kaa.rpc.internal.frame.ReadLimit;
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
        /** Our pause (the peer's calls fill their slots), and the peer's (it reads none of our answers). */
        final AtomicBoolean busy = new AtomicBoolean();
        final AtomicBoolean peerNotReading = new AtomicBoolean();

        Connection(ReceiveBudget budget) {
            this(budget, new Object());
        }

        Connection(ReceiveBudget budget, Object source) {
            decoder = new FrameDecoder(1 << 24, new ReadLimit(), busy::get, peerNotReading::get, budget, source,
                    TIMEOUT);
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

        /** Our side's calls or answers changed: the decoder looks again, and decodes what waits if it may. */
        void update() {
            decoder.updateReading();
            channel.runPendingTasks();
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
        c.busy.set(true);
        c.receive(Unpooled.wrappedBuffer(frame(10), header(100)));
        c.later(TIMEOUT.multipliedBy(2));
        assertThat(c.channel.isOpen()).isTrue();
        c.busy.set(false);
        c.update();
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

    @Test
    void bytesWeDoNotReadAreNotThePeersDelay() {
        // the peer sent a frame whose start we read; then it stopped reading our answers, so we stopped
        // reading: the rest of its frame waits in our own socket, and that is no stall of the peer's
        Connection c = new Connection(new ReceiveBudget(Long.MAX_VALUE));
        c.receive(Unpooled.wrappedBuffer(header(40_000), Unpooled.wrappedBuffer(new byte[9_000])));
        c.peerNotReading.set(true);
        c.update();
        assertThat(c.channel.config().isAutoRead()).isFalse();
        c.later(TIMEOUT.multipliedBy(3));
        assertThat(c.channel.isOpen()).isTrue();
        c.peerNotReading.set(false);
        c.update();
        assertThat(c.channel.config().isAutoRead()).isTrue();
        c.receive(Unpooled.wrappedBuffer(new byte[31_000]));
        assertThat(c.packets).hasSize(1);
        assertThat(c.errors).isEmpty();
        c.release();
    }

    @Test
    void aPeerThatStopsReadingCannotHoldItsReservation() {
        ReceiveBudget budget = new ReceiveBudget(300_000);
        Connection c = new Connection(budget);
        c.receive(Unpooled.wrappedBuffer(header(200_000), Unpooled.wrappedBuffer(new byte[1000])));
        assertThat(budget.reserved()).isEqualTo(200_012);
        c.peerNotReading.set(true);
        c.update();
        c.later(TIMEOUT.minusSeconds(1));
        assertThat(c.channel.isOpen()).isTrue();
        c.later(Duration.ofSeconds(2));
        assertThat(c.channel.isOpen()).isFalse();
        assertThat(c.errors).singleElement().asString().contains("held 200012 bytes of the shared receive budget")
                .contains("reads none of our answers");
        assertThat(budget.reserved()).isZero();
        c.release();
    }

    @Test
    void aReservationGrantedWhileThePeerDoesNotReadHasItsDeadlineToo() {
        ReceiveBudget budget = new ReceiveBudget(300_000);
        Connection holder = new Connection(budget);
        Connection waiter = new Connection(budget);
        holder.receive(Unpooled.wrappedBuffer(header(200_000), Unpooled.wrappedBuffer(new byte[10])));
        waiter.receive(header(200_000));
        assertThat(waiter.decoder.waitingForBudget()).isTrue();
        waiter.peerNotReading.set(true);
        waiter.update();
        holder.receive(Unpooled.wrappedBuffer(new byte[200_000 - 10]));
        waiter.channel.runPendingTasks(); // granted, while the peer reads none of our answers
        assertThat(budget.reserved()).isEqualTo(200_012);
        waiter.later(TIMEOUT.plusSeconds(1));
        assertThat(waiter.channel.isOpen()).isFalse();
        assertThat(budget.reserved()).isZero();
        holder.release();
        waiter.release();
    }

    @Test
    void oneSourceHoldsAtMostHalfTheBudgetAndWaitsWithoutHoldingUpOthers() {
        ReceiveBudget budget = new ReceiveBudget(300_000);
        Object bad = "one host";
        Connection first = new Connection(budget, bad);
        Connection second = new Connection(budget, bad);
        Connection other = new Connection(budget, "another host");
        first.receive(Unpooled.wrappedBuffer(header(100_000), Unpooled.wrappedBuffer(new byte[10])));
        second.receive(header(100_000)); // 200,024 bytes would be over half for one source
        assertThat(second.decoder.waitingForBudget()).isTrue();
        other.receive(header(100_000)); // behind it in the queue, but not held up by it
        assertThat(other.decoder.waitingForBudget()).isFalse();
        assertThat(budget.reserved()).isEqualTo(200_024);

        first.receive(Unpooled.wrappedBuffer(new byte[100_000 - 10]));
        second.channel.runPendingTasks();
        assertThat(second.decoder.waitingForBudget()).isFalse();
        assertThat(budget.reserved()).isEqualTo(200_024);
        first.release();
        second.release();
        other.release();
    }

    /**
     * We pause (our calls fill their slots) with little of a frame's time
     * left: while the reading clock stands still, the deadline must not be
     * looked at again every moment (a timer task after each, on the I/O
     * thread, for as long as the pause lasts), only once reading resumes.
     */
    @Test
    void aDeadlineWhoseClockStandsStillIsNotPolled() {
        Connection c = new Connection(new ReceiveBudget(Long.MAX_VALUE));
        c.receive(Unpooled.wrappedBuffer(header(1000), Unpooled.wrappedBuffer(new byte[400])));
        // (seconds, not milliseconds: the embedded loop's clock also runs with the machine's)
        c.later(TIMEOUT.minusSeconds(2));
        c.busy.set(true);
        c.update();
        c.later(Duration.ofSeconds(2)); // the deadline looks, and finds its clock stood still
        assertThat(c.channel.isOpen()).isTrue();
        long next = c.channel.runScheduledPendingTasks(); // -1: nothing scheduled
        assertThat(next == -1 || next >= TimeUnit.SECONDS.toNanos(1))
                .as("the deadline is not looked at again within a second while paused by us (next in %d ns)", next)
                .isTrue();
        // reading again, the two seconds left run out
        c.busy.set(false);
        c.update();
        c.later(Duration.ofSeconds(3));
        assertThat(c.channel.isOpen()).isFalse();
        assertThat(c.errors).singleElement().asString().contains("peer sent only 400 of the 1000 bytes");
        c.release();
    }
}
