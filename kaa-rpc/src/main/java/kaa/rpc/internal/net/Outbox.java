package kaa.rpc.internal.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.net.ProtocolException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packets of one connection on their way out, from any thread. Netty's
 * own {@code writeAndFlush} from outside the event loop costs a task and a
 * flush (a system call) per packet; here packets queue up, and one task
 * writes all that have gathered and flushes once. Under load that turns many
 * small writes into a few large ones; a lone call costs the same as before.
 */
final class Outbox implements SendBudget.Holder {

    private final Channel channel;
    private final ConcurrentLinkedQueue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Runnable drain = this::drain;

    /** Where what this connection holds unsent is counted with the others', and its share there (I/O thread). */
    private final SendBudget budget;
    private long counted;
    /** An empty write is queued behind unsent bytes, to count again once they are gone (I/O thread). */
    private boolean recountQueued;
    /**
     * Unsent bytes worth an empty write to count again (Netty counts each
     * entry's overhead too, so a few bytes always look unsent): what the budget
     * may overcount per connection; its decision counts afresh (SendBudget).
     */
    private static final long RECOUNT_ABOVE = 64 * 1024;

    /** A new connection's outbox, which counts what it holds unsent in {@code budget}; a field of its {@link Connection}. */
    Outbox(Channel channel, SendBudget budget) {
        this.channel = channel;
        this.budget = budget;
    }

    /**
     * Whether this connection may take {@code bytes} more to send (see
     * {@link SendBudget}): false when everyone's unsent bytes fill the budget
     * and this connection holds the most of them.
     */
    boolean admits(long bytes) {
        return budget.admits(this, bytes);
    }

    private final AtomicBoolean evicted = new AtomicBoolean();
    /**
     * Since when what this connection holds unsent has waited with none of it
     * leaving (by the recounts on its I/O thread), or {@link #IDLE} (nothing
     * unsent) or {@link #FRESH} (bytes queued since, not yet counted): a peer
     * that reads makes this recent, one that reads nothing lets it age.
     */
    private volatile long waitingSince = IDLE;
    private static final long IDLE = Long.MIN_VALUE;
    private static final long FRESH = Long.MIN_VALUE + 1;

    @Override
    public long stalledNanos(long now) {
        long since = waitingSince;
        return since == IDLE || since == FRESH || unsentBytes() == 0 ? 0 : now - since;
    }

    @Override
    public boolean evicted() {
        return evicted.get();
    }

    /** Closes this connection, which holds the most unsent when the send budget is full; once. */
    @Override
    public void evict(long held, long limit) {
        if (evicted.compareAndSet(false, true)) {
            long unsent = unsentBytes();
            channel.eventLoop().execute(() -> {
                if (channel.isActive()) {
                    channel.pipeline().fireExceptionCaught(new ProtocolException("peer reads too little of "
                            + "what we send: " + unsent + " bytes wait for it, the most of any connection, and all "
                            + "connections hold " + held + " bytes unsent, past the send budget of " + limit
                            + " bytes (sendBudget); closing"));
                }
            });
        }
    }

    SendBudget budget() {
        return budget;
    }

    /**
     * Counts again what this connection holds unsent; on its I/O thread,
     * after writes and when its writability changes or it closes. While
     * bytes stay unsent, an empty write behind them counts again once the
     * socket has taken them, even if writability never changes.
     */
    void recount() {
        if (!channel.isActive()) {
            budget.leave(this);
        }
        ChannelOutboundBuffer netty = channel.unsafe().outboundBuffer();
        long pending = netty == null ? 0 : netty.totalPendingWriteBytes();
        if (pending == 0 && queuedBytes.get() == 0) {
            waitingSince = IDLE;
        } else if (pending < counted || waitingSince == FRESH || waitingSince == IDLE) {
            waitingSince = System.nanoTime(); // some left, or the first are counted: the wait starts now
        }
        if (pending != counted) { // the common case, all sent, touches no counter shared with other connections
            budget.add(pending - counted);
            counted = pending;
        }
        if (pending > RECOUNT_ABOVE && !recountQueued && channel.isActive()) {
            recountQueued = true;
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                recountQueued = false;
                if (f.isSuccess()) { // a failed write means a failing connection: its close counts it out
                    // in a task: while the listener runs, Netty still counts the empty write's own entry
                    channel.eventLoop().execute(this::recount);
                }
            });
        }
    }

    /** Sends {@code packet} (a complete frame) after everything sent before it; takes ownership of it. */
    void send(ByteBuf packet) {
        if (queuedBytes.getAndAdd(packet.readableBytes()) == 0 && waitingSince == IDLE) {
            waitingSince = FRESH; // the wait is timed from the next recount
        }
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
    @Override
    public long unsentBytes() {
        ChannelOutboundBuffer netty = channel.unsafe().outboundBuffer();
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
            recount();
        }
    }
}
