package kaa.rpc.internal.net;

import io.netty.util.internal.PlatformDependent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What we hold to send, across the connections of a server (or all clients
 * of a process): answers, and calls, that wait because their peer does not
 * read them. Each connection stops reading its peer's calls once 16 MiB wait
 * for it, but the calls already running still answer; and many such peers
 * together would hold what no single one may. Once the total would pass the
 * budget, the connection whose unsent bytes have waited longest without any
 * leaving (of those alike, the one that holds the most) gives way: it is
 * closed (a peer that reads what we send makes progress, and is served on),
 * and if that is the connection asking, it is refused.
 *
 * <p>The total is kept by each connection's {@link Outbox}, on its I/O
 * thread, from Netty's own count of what is unsent: it may lag by what was
 * queued since the connection's last write, never more.
 */
public final class SendBudget {

    /** The default: 256 MiB, or a quarter of the direct memory the JVM allows, if that is less. */
    public static final long DEFAULT_BYTES = Math.max(16L << 20,
            Math.min(256L << 20, PlatformDependent.maxDirectMemory() / 4));

    /** A connection as the budget sees it (an {@link Outbox}). */
    public interface Holder {
        /** What it holds unsent now; any thread. */
        long unsentBytes();

        boolean evicted();

        /** How long its unsent bytes have waited without any leaving (0 if it holds none); any thread. */
        long stalledNanos(long now);

        /** Closes its connection, once: it holds the most when the budget is full. */
        void evict(long held, long limit);
    }

    private static volatile SendBudget clients;

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    /** The outboxes of the open connections, to find the one that holds the most. */
    private final Set<Holder> members = ConcurrentHashMap.newKeySet();

    public SendBudget(long limit) {
        this.limit = limit;
    }

    /** The budget all clients of this process share unless they are given their own. */
    public static SendBudget sharedByClients() {
        SendBudget b = clients;
        if (b == null) {
            synchronized (SendBudget.class) {
                if (clients == null) {
                    clients = new SendBudget(DEFAULT_BYTES);
                }
                b = clients;
            }
        }
        return b;
    }

    public long limit() {
        return limit;
    }

    /** What all connections hold unsent now. */
    public long held() {
        return held.get();
    }

    public void add(long delta) {
        held.addAndGet(delta);
    }

    public void join(Holder o) {
        members.add(o);
    }

    public void leave(Holder o) {
        members.remove(o);
    }

    /**
     * Whether {@code asking} may take {@code bytes} more. Past the budget,
     * the connection most stalled is closed; if that is {@code asking}, the
     * answer is no.
     */
    public boolean admits(Holder asking, long bytes) {
        if (held.get() + bytes <= limit) {
            return true;
        }
        // only past the budget, by the running count: now count afresh, as it may lag (and an evicted connection's
        // bytes are as good as gone), and find who gives way: the one whose bytes have waited longest without any
        // leaving, a peer that reads nothing; of those stalled alike, the one that holds the most
        long now = System.nanoTime();
        Holder most = asking;
        long mostBytes = asking.unsentBytes();
        long mostStalled = asking.stalledNanos(now);
        long total = 0;
        for (Holder o : members) {
            if (o.evicted()) {
                continue;
            }
            long unsent = o.unsentBytes();
            total += unsent;
            long stalled = o.stalledNanos(now);
            if (unsent > 0 && (stalled > mostStalled || stalled == mostStalled && unsent > mostBytes)) {
                most = o;
                mostBytes = unsent;
                mostStalled = stalled;
            }
        }
        if (total + bytes <= limit) {
            return true;
        }
        if (most == asking) {
            return mostBytes == 0; // it holds nothing: let it pass
        }
        most.evict(held.get(), limit);
        return true;
    }
}
