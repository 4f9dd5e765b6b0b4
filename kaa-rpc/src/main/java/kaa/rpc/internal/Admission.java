package kaa.rpc.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's limits on connections: how many may be open, and how many may
 * still be in their handshake (unauthenticated peers cost the least to open
 * and the most to trust). A connection over the first limit is closed at
 * once. Over the second, the oldest connection still in its handshake is
 * closed to make room: a flood of silent connections then rotates through the
 * handshake slots instead of holding them, and a real client, whose handshake
 * takes a few milliseconds, still gets in. Refusals are logged at most once a
 * second, with a count.
 */
final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);
    private static final long REPORT_EVERY_NANOS = 1_000_000_000L;

    private final int maxConnections;
    private final int maxHandshaking;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger handshaking = new AtomicInteger();
    /** The connections in their handshake, oldest first. */
    private final java.util.concurrent.ConcurrentLinkedDeque<Channel> waiting =
            new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final AtomicLong refusedSinceReport = new AtomicLong();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - REPORT_EVERY_NANOS);

    Admission(int maxConnections, int maxHandshaking) {
        this.maxConnections = maxConnections;
        this.maxHandshaking = maxHandshaking;
    }

    /**
     * Counts {@code ch} in if the limits allow, and arranges to count it out;
     * call {@link #watchHandshake} once its pipeline is built.
     */
    boolean admit(Channel ch) {
        if (connections.incrementAndGet() > maxConnections) {
            connections.decrementAndGet();
            refused(ch, maxConnections + " connections are open (maxConnections)");
            return false;
        }
        if (handshaking.incrementAndGet() > maxHandshaking) {
            Channel victim = oldestSilent();
            if (victim != null) {
                refused(victim, maxHandshaking + " connections are in their handshake (maxHandshaking); "
                        + "closing the oldest silent one");
                victim.close();
            }
        }
        waiting.add(ch);
        return true;
    }

    /**
     * The oldest connection in its handshake that has sent nothing yet (a
     * client that has sent its answer is about to be done), else the oldest.
     */
    private Channel oldestSilent() {
        for (Channel ch : waiting) {
            if (!HandshakeHandler.hasSpoken(ch) && waiting.remove(ch)) {
                return ch;
            }
        }
        return waiting.poll();
    }

    /** Counts {@code ch} out of the handshaking when it opens, and out of everything when it closes. */
    void watchHandshake(Channel ch) {
        AtomicBoolean inHandshake = new AtomicBoolean(true);
        ch.closeFuture().addListener(f -> {
            connections.decrementAndGet();
            if (inHandshake.getAndSet(false)) {
                handshaking.decrementAndGet();
                waiting.remove(ch);
            }
        });
        ch.pipeline().addAfter("handshake", "admission", new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof HandshakeHandler.Opened) {
                    if (inHandshake.getAndSet(false)) {
                        handshaking.decrementAndGet();
                        waiting.remove(ch);
                    }
                    ctx.pipeline().remove(this);
                }
                ctx.fireUserEventTriggered(event);
            }
        });
    }

    private void refused(Channel ch, String why) {
        // counted and reported, at most once a second
        long count = refusedSinceReport.incrementAndGet();
        long now = System.nanoTime();
        long last = lastReport.get();
        if (now - last >= REPORT_EVERY_NANOS && lastReport.compareAndSet(last, now)) {
            refusedSinceReport.addAndGet(-count);
            log.warn("refusing connections: {}; {} refused since the last report, the latest from {}", why, count,
                    HandshakeHandler.peer(ch));
        }
    }
}
