package kaa.rpc.internal.session;

import java.time.Duration;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import kaa.rpc.internal.call.RpcFuture;
import kaa.rpc.internal.dispatch.CallSource;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.net.Connection;
import kaa.rpc.internal.net.EventLoops;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.Test;

/**
 * Races between a caller settling its call's future and the connection
 * opening, driven deterministically by holding a call's monitor.
 */
class SessionRacesTest {

    private static Session session() {
        return new Session(null, new CommandTable(null), Runnable::run, new Session.Listener() {
            @Override
            public void opened() {
            }

            @Override
            public void closed(Throwable reason) {
            }
        }, false, 1024, SendPolicy.DEFAULT, false, false, FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT,
                Duration.ofSeconds(30), EventLoops.timers());
    }

    /**
     * A call queued before open and cancelled after {@code opened} has taken
     * the queue, but before it wrote that call, must not go out: it is
     * forgotten, and since it was never sent, no CNCL follows it either.
     */
    @Test
    void aQueuedCallCancelledWhileTheConnectionOpensIsNotSent() throws Exception {
        Session session = session();
        EmbeddedChannel ch = new EmbeddedChannel();
        Connection c = Connection.of(ch);
        Session.Link link = session.attach(c, c, new CallSource.Registry().join(new Object(), c));
        RpcFuture<Object> first = session.call("first", new Object[0], Map.of(), Object.class, null, false);
        RpcFuture<Object> second = session.call("second", new Object[0], Map.of(), Object.class, null, false);
        Object firstCall = session.pending().get(1);
        assertThat(firstCall).isNotNull();

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (firstCall) { // opened() stops at the first call, after it took the queue
                held.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        holder.start();
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        Thread opener = new Thread(() -> {
            c.opened(Dialect.JAVA);
            session.opened(link);
        });
        opener.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (opener.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(opener.getState()).isEqualTo(Thread.State.BLOCKED);

        second.cancel(true); // the caller no longer wants it
        release.countDown();
        opener.join(10_000);
        holder.join(10_000);
        assertThat(opener.isAlive()).isFalse();

        List<Integer> callSeqs = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            while (b.readableBytes() >= Packet.HEADER_SIZE) {
                int seq = b.getIntLE(b.readerIndex());
                int type = b.getInt(b.readerIndex() + 4);
                long length = b.getUnsignedIntLE(b.readerIndex() + 8);
                if (type == Packet.CALL) {
                    callSeqs.add(seq);
                }
                b.skipBytes((int) (Packet.HEADER_SIZE + length));
            }
            b.release();
        }
        first.cancel(true);
        ch.finishAndReleaseAll();
        assertThat(callSeqs).as("CALLs sent").containsExactly(1);
    }
}
