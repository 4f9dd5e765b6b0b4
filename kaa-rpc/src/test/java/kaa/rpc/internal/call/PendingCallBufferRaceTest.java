package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A call's frame has one owner at a time, under the call's monitor: a caller
 * re-encoding a queued call while another thread closes the session (which
 * releases every queued frame) neither releases a frame twice (an
 * IllegalReferenceCountException that would stop the close before its
 * listener hears of it) nor leaks the new one.
 *
 * <p>Deterministic: the old frame's deallocation (inside reencoded, between
 * its release and the assignment of the new frame) waits on a latch.
 */
class PendingCallBufferRaceTest {

    /** A frame whose deallocation waits until the test lets it go on. */
    static final class SlowFrame extends UnpooledHeapByteBuf {
        final CountDownLatch inRelease = new CountDownLatch(1);
        final CountDownLatch goOn = new CountDownLatch(1);

        SlowFrame() {
            super(UnpooledByteBufAllocator.DEFAULT, 64, 64);
            writeZero(32);
        }

        @Override
        protected void deallocate() {
            inRelease.countDown();
            try {
                goOn.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.deallocate();
        }
    }

    @Test
    void aQueuedCallReleasedByCloseWhileItIsReencodedReleasesEachFrameOnce() throws Exception {
        SlowFrame old = new SlowFrame();
        PendingCall call = new PendingCall("echo", Object.class, new RpcFuture<>(Runnable::run), old, true, null);
        ByteBuf fresh = Unpooled.buffer(32).writeZero(32);

        // the caller's thread: OutgoingCalls.call, routed QUEUED for a peer of this library, encodes it again
        Thread caller = new Thread(() -> call.reencoded(fresh), "caller");
        caller.start();
        assertThat(old.inRelease.await(10, TimeUnit.SECONDS)).isTrue();

        // the closing thread: Session.close took the queue (takeAll) and releases what it held
        ArrayDeque<PendingCall> dropped = new ArrayDeque<>();
        dropped.add(call);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try {
            ReadyQueue.releaseAll(dropped);
        } catch (Throwable t) {
            thrown.set(t);
        }
        old.goOn.countDown();
        caller.join(10_000);

        try {
            assertThat(thrown.get()).as("releaseAll on the closing thread").isNull();
            assertThat(fresh.refCnt()).as("the new frame of a call the session dropped is released").isZero();
        } finally {
            if (fresh.refCnt() > 0) {
                fresh.release(fresh.refCnt());
            }
        }
    }
}
