package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import kaa.rpc.NotConnectedException;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A retrying client's call encoded for the Java peer of the connection it saw
 * (BINBYTES for a byte[]), made just after that connection was lost: it waits
 * for the next, whose peer may be a Python one, and the open that sends the
 * queue may come as soon as the session's lock is free. So it is encoded
 * again for any peer before it is queued ({@code Routed.ENCODE_FOR_ANY_PEER}),
 * never after: the test's route opens the next connection the moment it queues.
 */
class QueuedShortcutRaceTest {

    private final ScheduledExecutorService timers = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void aCallEncodedForAJavaPeerAndSentByTheNextOpenGoesAsAPythonPeerReadsIt() throws Exception {
        RecordingSink python = new RecordingSink(Dialect.PYTHON); // the connection that opens next
        ReadyQueue queue = new ReadyQueue();
        Object sessionLock = new Object();
        OutgoingCalls.Route route = new OutgoingCalls.Route() {
            @Override
            public Routed route(PendingCall call) {
                Routed r;
                synchronized (sessionLock) { // Session.Routing.route: DISCONNECTED && waitsForReady
                    if (!call.mayWaitInQueue()) {
                        return Routed.ENCODE_FOR_ANY_PEER; // as the contract says: nothing queued, no open now
                    }
                    r = queue.offer(call) ? Routed.QUEUED : Routed.QUEUE_FULL;
                }
                // the lock is free: the I/O thread's Session.opened(link) runs now, before the caller goes on
                Thread io = new Thread(() -> {
                    ArrayDeque<PendingCall> batch;
                    synchronized (sessionLock) {
                        batch = queue.takeAll();
                    }
                    ReadyQueue.sendAll(batch, python);
                });
                io.start();
                try {
                    io.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return r;
            }

            @Override
            public boolean unqueue(PendingCall call) {
                synchronized (sessionLock) {
                    return queue.remove(call);
                }
            }

            @Override
            public FrameSink openSink() {
                return python;
            }

            @Override
            public Dialect dialect() {
                return Dialect.JAVA; // the link read before the call was encoded: the lost Java one
            }

            @Override
            public NotConnectedException notConnected(String what) {
                return new NotConnectedException(what);
            }
        };
        OutgoingCalls calls = new OutgoingCalls(route, Runnable::run, timers, SendPolicy.DEFAULT, false,
                FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT, Duration.ofSeconds(30));
        Object[] args = {new byte[] {1, 2, (byte) 0xff}};

        RpcFuture<Object> f = calls.call("store", args, Map.of(), Object.class, null, true);

        assertThat(python.headers()).containsExactly("CALL 1");
        ByteBuf portable = Unpooled.buffer();
        Packet.writeHeader(portable, 1, Packet.CALL, 0);
        PickleWriter.writeCall(portable, "store", args, Map.of(), null, false, SendPolicy.DEFAULT);
        Packet.patchLength(portable, 0);
        try {
            assertThat(ByteBufUtil.hexDump(python.frameBytes(0)))
                    .as("the CALL a Python peer got is the one encoded for any peer, not the Java-only one")
                    .isEqualTo(ByteBufUtil.hexDump(portable));
        } finally {
            portable.release();
            f.cancel(false);
            python.releaseAll();
        }
    }
}
