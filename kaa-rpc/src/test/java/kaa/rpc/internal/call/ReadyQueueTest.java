package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import kaa.rpc.internal.frame.FrameLimits;
import org.junit.jupiter.api.Test;

/** The queue of calls waiting for the connection: bounded by what its calls hold, however small each frame. */
class ReadyQueueTest {

    private static PendingCall tiny() {
        return new PendingCall("x", Object.class, new RpcFuture<>(Runnable::run), Unpooled.buffer(20).writeZero(20),
                true, null);
    }

    @Test
    void tinyCallsCountWhatTheyHoldNotJustTheirBytes() {
        ReadyQueue queue = new ReadyQueue();
        int accepted = 0;
        while (queue.offer(tiny())) {
            accepted++;
        }
        // 20-byte frames alone would let 800,000 wait; each counts at least MIN_CALL_SIZE
        assertThat(accepted).isEqualTo(FrameLimits.OUTBOUND_HIGH_WATER / ReadyQueue.MIN_CALL_SIZE);
        assertThat(queue.takeAll()).hasSize(accepted).allSatisfy(c -> assertThat(c.queued).isFalse());
        assertThat(queue.offer(tiny())).as("room again once taken").isTrue();
    }

    @Test
    void aCallTakenOutIsNoLongerQueuedAndFreesItsRoom() {
        ReadyQueue queue = new ReadyQueue();
        PendingCall call = tiny();
        assertThat(queue.offer(call)).isTrue();
        assertThat(call.queued).isTrue();
        assertThat(queue.remove(call)).isTrue();
        assertThat(call.queued).isFalse();
        assertThat(queue.remove(call)).isFalse();
        call.releaseBuffer();
    }
}
