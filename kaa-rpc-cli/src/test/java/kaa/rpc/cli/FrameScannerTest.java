package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import kaa.rpc.WireFrames;
import org.junit.jupiter.api.Test;

/** One direction cut into frames, and what of the shared decoding budget each holds, and when. */
class FrameScannerTest {

    private final List<String> seen = new ArrayList<>();

    private FrameScanner scanner(AtomicLong budget) {
        return new FrameScanner(64 << 20, budget, new FrameScanner.Frames() {
            @Override
            public void frame(int seq, int type, ByteBuf payload, long length) {
                seen.add(seq + " " + payload.readableBytes() + "/" + length);
            }

            @Override
            public void stopped(long length) {
                seen.add("stopped " + length);
            }
        });
    }

    private static void feed(FrameScanner s, byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        s.feed(b);
        assertThat(b.readerIndex()).as("the relay's bytes are left as they are").isZero();
    }

    @Test
    void aHeaderHoldsNothingOfTheBudgetAndAPayloadWhatHasArrived() {
        AtomicLong budget = new AtomicLong(1 << 20);
        FrameScanner s = scanner(budget);
        byte[] frame = WireFrames.frame(1, "CALL", new byte[1000]);
        feed(s, Arrays.copyOf(frame, 12));
        assertThat(budget.get()).as("a header alone").isEqualTo(1 << 20);
        feed(s, Arrays.copyOfRange(frame, 12, 112));
        assertThat(budget.get()).as("100 bytes arrived").isEqualTo((1 << 20) - 100);
        feed(s, Arrays.copyOfRange(frame, 112, frame.length));
        assertThat(seen).containsExactly("1 1000/1000");
        assertThat(budget.get()).as("given back once the frame is done").isEqualTo(1 << 20);
    }

    @Test
    void aFrameTheBudgetRunsOutForIsShownByItsFirstBytesAndHoldsNothingAfter() {
        AtomicLong budget = new AtomicLong(1500);
        FrameScanner s = scanner(budget);
        byte[] frame = WireFrames.frame(2, "CALL", new byte[4000]);
        feed(s, Arrays.copyOf(frame, 12 + 1000));
        assertThat(budget.get()).isEqualTo(500);
        feed(s, Arrays.copyOfRange(frame, 12 + 1000, 12 + 2000)); // no room for these 1,000
        assertThat(budget.get()).as("what was kept is let go at once").isEqualTo(1500);
        feed(s, Arrays.copyOfRange(frame, 12 + 2000, frame.length));
        assertThat(seen).containsExactly("2 " + FrameScanner.HEAD + "/4000");
        assertThat(budget.get()).isEqualTo(1500);
        // the next frame is kept again
        feed(s, WireFrames.frame(3, "RETN", new byte[10]));
        assertThat(seen).containsExactly("2 " + FrameScanner.HEAD + "/4000", "3 10/10");
        assertThat(budget.get()).isEqualTo(1500);
    }

    @Test
    void aClosedConnectionGivesBackWhatItsFrameHeld() {
        AtomicLong budget = new AtomicLong(1 << 20);
        FrameScanner s = scanner(budget);
        byte[] frame = WireFrames.frame(1, "CALL", new byte[1000]);
        feed(s, Arrays.copyOf(frame, 500));
        assertThat(budget.get()).isLessThan(1 << 20);
        s.close();
        assertThat(budget.get()).isEqualTo(1 << 20);
        feed(s, ByteBufUtil.getBytes(Unpooled.wrappedBuffer(frame), 500, frame.length - 500));
        assertThat(seen).isEmpty();
    }
}
