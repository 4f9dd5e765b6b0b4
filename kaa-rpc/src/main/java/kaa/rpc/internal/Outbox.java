package kaa.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The packets of one connection on their way out, from any thread. Netty's
 * own {@code writeAndFlush} from outside the event loop costs a task and a
 * flush (a system call) per packet; here packets queue up, and one task
 * writes all that have gathered and flushes once. Under load that turns many
 * small writes into a few large ones; a lone call costs the same as before.
 */
final class Outbox {

    private static final AttributeKey<Outbox> KEY = AttributeKey.valueOf(Outbox.class, "outbox");

    private final Channel channel;
    private final ConcurrentLinkedQueue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final Runnable drain = this::drain;

    private Outbox(Channel channel) {
        this.channel = channel;
    }

    /** The outbox of {@code channel}, made on first use. */
    static Outbox of(Channel channel) {
        Outbox o = channel.attr(KEY).get();
        if (o == null) {
            Outbox made = new Outbox(channel);
            o = channel.attr(KEY).setIfAbsent(made);
            if (o == null) {
                o = made;
            }
        }
        return o;
    }

    /** Sends {@code packet} (a complete frame) after everything sent before it; takes ownership of it. */
    void send(ByteBuf packet) {
        queuedBytes.addAndGet(packet.readableBytes());
        queue.add(packet);
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(drain);
        }
    }

    /** Bytes handed to {@link #send} that Netty has not taken yet (they count towards its own high water later). */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** What waits to be sent: here, and in Netty's buffer (its count is volatile: any thread may read it). */
    long unsentBytes() {
        io.netty.channel.ChannelOutboundBuffer netty = channel.unsafe().outboundBuffer();
        return queuedBytes.get() + (netty == null ? 0 : netty.totalPendingWriteBytes());
    }

    private void drain() {
        scheduled.set(false);
        boolean wrote = false;
        ByteBuf b;
        while ((b = queue.poll()) != null) {
            queuedBytes.addAndGet(-b.readableBytes());
            channel.write(b, channel.voidPromise());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }
}
