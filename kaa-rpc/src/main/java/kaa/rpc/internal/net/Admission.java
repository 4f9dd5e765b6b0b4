package kaa.rpc.internal.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import kaa.rpc.internal.handshake.HandshakeHandler;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.wire.Observers;

/**
 * A server's limits on connections: how many may be open, and how many may
 * still be in their handshake (unauthenticated peers cost the least to open
 * and the most to trust). A connection over the first limit is closed at
 * once.
 *
 * <p>When the handshake slots are full, a new connection takes a slot from
 * another only in a way that is fair to a real client, whose handshake needs
 * a round trip, whatever its length:
 * <ul>
 * <li><b>a share per source</b>: if one source address (an IPv6 one by its
 * /64) holds at least two slots more than the newcomer's source, the newcomer
 * takes the slot of that source's oldest silent connection. A flood from one
 * source, or a few, so only ever evicts itself, and clients elsewhere get in;
 * <li><b>a minimum age</b> otherwise: only a connection in its handshake for
 * at least {@link #DEFAULT_MIN_AGE_NANOS} may be evicted (the oldest silent
 * one first); if none is that old the newcomer is refused. Every connection
 * admitted so has that long for its round trip, and a flood from many
 * sources at once can at most take turns with real clients for the slots.
 * </ul>
 * Refusals and evictions are logged at most once a second, with a count.
 */
public final class Admission {

    /** How long a connection keeps its handshake slot before another source's newcomer may take it. */
    public static final long DEFAULT_MIN_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** {@link #refusal}'s answer when the server is closing: no limit, and not reported to observers. */
    public static final String CLOSING = "closing";

    private static final PeerLog OVER_CONNECTIONS = PeerLog.warn(Admission.class, "maxConnections");
    private static final PeerLog OVER_HANDSHAKING = PeerLog.warn(Admission.class, "maxHandshaking");

    private final int maxConnections;
    private final int maxHandshaking;
    private final long minAgeNanos;
    private final LongSupplier clock;
    private final AtomicInteger connections = new AtomicInteger();

    /** Guards {@link #inHandshake} and {@link #bySource}: admission runs on every I/O thread at once. */
    private final Object lock = new Object();
    /** The connections in their handshake, oldest first, with when they were admitted. */
    private final LinkedHashMap<Channel, Slot> inHandshake = new LinkedHashMap<>();
    /** The same connections by source, oldest first within each. */
    private final Map<Object, LinkedHashSet<Channel>> bySource = new HashMap<>();
    /** The server is closing: nothing more is admitted. Guarded by the lock. */
    private boolean closed;

    private record Slot(Object source, long since) {
    }

    public Admission(int maxConnections, int maxHandshaking) {
        this(maxConnections, maxHandshaking, DEFAULT_MIN_AGE_NANOS, System::nanoTime);
    }

    public Admission(int maxConnections, int maxHandshaking, long minAgeNanos, LongSupplier clock) {
        this.maxConnections = maxConnections;
        this.maxHandshaking = maxHandshaking;
        this.minAgeNanos = minAgeNanos;
        this.clock = clock;
    }

    /**
     * Counts {@code ch} in if the limits allow (closing another connection in
     * its handshake to make room, if that is fair), and arranges to count it
     * out; call {@link #watchHandshake} once its pipeline is built. If this
     * returns false, the caller closes {@code ch}.
     */
    public boolean admit(Channel ch) {
        return refusal(ch) == null;
    }

    /**
     * As {@link #admit}, saying why not: null when {@code ch} is admitted,
     * else the limit that refused it ({@link Observers#MAX_CONNECTIONS} or
     * {@link Observers#MAX_HANDSHAKING}), or {@link #CLOSING} when the server
     * closes.
     */
    public String refusal(Channel ch) {
        if (connections.incrementAndGet() > maxConnections) {
            connections.decrementAndGet();
            OVER_CONNECTIONS.log("refusing a connection from {}: {} connections are open (maxConnections)",
                    Connection.peer(ch), maxConnections);
            return Observers.MAX_CONNECTIONS;
        }
        Object source = source(ch);
        Channel victim = null;
        synchronized (lock) {
            if (closed) {
                connections.decrementAndGet();
                return CLOSING;
            }
            if (inHandshake.size() >= maxHandshaking) {
                victim = victim(source);
                if (victim == null) {
                    connections.decrementAndGet();
                } else {
                    forget(victim);
                }
            }
            if (victim != null || inHandshake.size() < maxHandshaking) {
                inHandshake.put(ch, new Slot(source, clock.getAsLong()));
                bySource.computeIfAbsent(source, s -> new LinkedHashSet<>()).add(ch);
                victim = victim == null ? ch : victim; // ch itself: admitted without making room
            }
        }
        if (victim == null) {
            OVER_HANDSHAKING.log("refusing a connection from {}: {} connections are in their handshake "
                    + "(maxHandshaking), none of them for long enough to be closed for it",
                    Connection.peer(ch), maxHandshaking);
            return Observers.MAX_HANDSHAKING;
        }
        if (victim != ch) {
            OVER_HANDSHAKING.log("{} connections are in their handshake (maxHandshaking): closing one from {} to "
                    + "make room for {}", maxHandshaking, Connection.peer(victim), Connection.peer(ch));
            victim.close();
        }
        return null;
    }

    /** Which connection makes room for one from {@code source}, or null if none may. Holds the lock. */
    private Channel victim(Object source) {
        // the source holding the most slots pays, if it holds clearly more than the newcomer's
        LinkedHashSet<Channel> greediest = null;
        for (LinkedHashSet<Channel> of : bySource.values()) {
            if (greediest == null || of.size() > greediest.size()) {
                greediest = of;
            }
        }
        LinkedHashSet<Channel> own = bySource.get(source);
        int ownCount = own == null ? 0 : own.size();
        if (greediest != null && greediest.size() >= ownCount + 2) {
            return oldestSilentOrOldest(greediest);
        }
        // sources are even: only a connection that has had its minimum time may go, the oldest silent one first
        long now = clock.getAsLong();
        Channel oldEnough = null;
        for (Map.Entry<Channel, Slot> e : inHandshake.entrySet()) {
            if (now - e.getValue().since() < minAgeNanos) {
                break; // in order of age: the rest are younger still
            }
            if (!hasSpoken(e.getKey())) {
                return e.getKey();
            }
            if (oldEnough == null) {
                oldEnough = e.getKey();
            }
        }
        return oldEnough;
    }

    /** Whether the peer of {@code ch} has sent a handshake packet yet. */
    private static boolean hasSpoken(Channel ch) {
        Connection c = Connection.find(ch);
        return c != null && c.hasSpoken();
    }

    private static Channel oldestSilentOrOldest(LinkedHashSet<Channel> of) {
        for (Channel ch : of) {
            if (!hasSpoken(ch)) {
                return ch; // a client that has sent its answer is about to be done
            }
        }
        return of.iterator().next();
    }

    /** Takes {@code ch} out of the handshake slots, if it is there. Holds the lock. */
    private void forget(Channel ch) {
        Slot slot = inHandshake.remove(ch);
        if (slot != null) {
            LinkedHashSet<Channel> of = bySource.get(slot.source());
            of.remove(ch);
            if (of.isEmpty()) {
                bySource.remove(slot.source());
            }
        }
    }

    /** The server is closing: closes every connection in its handshake now, and admits no more. */
    public void close() {
        List<Channel> all;
        synchronized (lock) {
            closed = true;
            all = new ArrayList<>(inHandshake.keySet());
        }
        all.forEach(Channel::close); // outside the lock: their close listeners take it
    }

    /** Connections in their handshake now, for tests. */
    int handshaking() {
        synchronized (lock) {
            return inHandshake.size();
        }
    }

    /**
     * Who a connection is from, for the shares: its host
     * ({@link Address#host}); every connection of a Unix socket is one
     * source, the local host.
     */
    static Object source(Channel ch) {
        Object host = Address.host(ch.remoteAddress());
        return host != null ? host : "local";
    }

    /** Counts {@code ch} out of the handshake slots when it opens, and out of everything when it closes. */
    public void watchHandshake(Channel ch) {
        ch.closeFuture().addListener(f -> {
            connections.decrementAndGet();
            synchronized (lock) {
                forget(ch);
            }
        });
        ch.pipeline().addAfter("handshake", "admission", new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof HandshakeHandler.Opened) {
                    synchronized (lock) {
                        forget(ch);
                    }
                    ctx.pipeline().remove(this);
                }
                ctx.fireUserEventTriggered(event);
            }
        });
    }
}
