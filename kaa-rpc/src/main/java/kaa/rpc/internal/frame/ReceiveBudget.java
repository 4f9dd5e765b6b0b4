package kaa.rpc.internal.frame;

import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;

/**
 * Memory for large frames still being received, shared by many connections
 * (a server's, or all clients' of a process). Each connection may hold a
 * frame of up to {@link FrameDecoder#SMALL_FRAME} bytes without asking; a
 * larger frame reserves its whole size from here when its header arrives,
 * and gives it back once it has been handed on (or its connection is gone).
 * When a reservation does not fit, that connection stops reading and waits
 * its turn, first come first served, while connections with small frames
 * carry on. Each connection has at most one reservation or one place in the
 * queue; a peer that takes a reservation and then trickles, or stops reading
 * our answers, is cut off by the frame deadline ({@link FrameDecoder}), which
 * gives the memory back.
 *
 * <p>No one source (a server's peer host, a client's server) holds more than
 * half of the budget while it holds anything: the other half stays for the
 * others, so one bad peer, however many connections it opens, delays nobody
 * else's large frames. A source whose share is full waits without holding
 * up those queued behind it.
 */
public final class ReceiveBudget {

    /**
     * The default: room for four frames of the default maximum size, or half
     * the direct memory the JVM allows if that is less (frames are read into
     * direct buffers: a budget past the JVM's limit would let peers run it out).
     */
    public static final long DEFAULT_BYTES = Math.max(16L << 20,
            Math.min(256L << 20, PlatformDependent.maxDirectMemory() / 2));

    /** What a connection waiting for room is told when it gets it (on any thread). */
    public interface Waiter {
        void granted();
    }

    private static final class Request {
        final Waiter waiter;
        final long bytes;
        final Object source;

        Request(Waiter waiter, long bytes, Object source) {
            this.waiter = waiter;
            this.bytes = bytes;
            this.source = source;
        }
    }

    private static volatile ReceiveBudget clients;

    private final long limit;
    // The monitor of this object guards reserved, bySource and queue; connections on every event loop
    // take it, briefly. Under it only the arithmetic and the queue: a waiter's granted() runs after it is
    // released (it hops to its own event loop), and no other lock is taken under it.
    private long reserved;
    /** The bytes each source holds now; a source holding nothing has no entry. */
    private final HashMap<Object, Long> bySource = new HashMap<>();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();

    public ReceiveBudget(long limit) {
        this.limit = limit;
    }

    /** The budget all clients of this process share unless they are given their own. */
    public static ReceiveBudget sharedByClients() {
        ReceiveBudget b = clients;
        if (b == null) {
            synchronized (ReceiveBudget.class) {
                if (clients == null) {
                    clients = new ReceiveBudget(DEFAULT_BYTES);
                }
                b = clients;
            }
        }
        return b;
    }

    public long limit() {
        return limit;
    }

    /** The bytes reserved now. */
    public synchronized long reserved() {
        return reserved;
    }

    /**
     * Reserves {@code bytes} for {@code source} if they fit, its share allows
     * and nobody waits before us for room; otherwise queues {@code waiter},
     * which hears {@link Waiter#granted} once they are reserved for it. A frame
     * larger than the whole budget (or the share) waits until the budget (or
     * its source) holds nothing, and then has it alone.
     *
     * @return whether the bytes are reserved now
     */
    public synchronized boolean reserve(long bytes, Object source, Waiter waiter) {
        boolean first = true;
        for (Request r : queue) {
            if (shareAllows(r.source, r.bytes) && !fits(r.bytes)) {
                first = false; // it waits for room: after it, in order (one waiting for its share holds up nobody)
                break;
            }
        }
        if (first && fits(bytes) && shareAllows(source, bytes)) {
            take(source, bytes);
            return true;
        }
        queue.add(new Request(waiter, bytes, source));
        return false;
    }

    private boolean fits(long bytes) {
        return reserved + bytes <= limit || reserved == 0;
    }

    private boolean shareAllows(Object source, long bytes) {
        Long held = bySource.get(source);
        return held == null || held + bytes <= limit / 2;
    }

    private void take(Object source, long bytes) {
        reserved += bytes;
        bySource.merge(source, bytes, Long::sum);
    }

    /** Gives back {@code bytes} of {@code source}, and grants what now fits to those waiting, in order. */
    void release(long bytes, Object source) {
        ArrayDeque<Waiter> granted;
        synchronized (this) {
            reserved -= bytes;
            bySource.computeIfPresent(source, (k, held) -> held == bytes ? null : held - bytes);
            granted = grant();
        }
        granted.forEach(Waiter::granted); // outside the lock: they hop to their own threads
    }

    /** Reserves, in order, for those waiting whose frames now fit; under the lock. */
    private ArrayDeque<Waiter> grant() {
        ArrayDeque<Waiter> granted = new ArrayDeque<>();
        for (Iterator<Request> it = queue.iterator(); it.hasNext();) {
            Request r = it.next();
            if (!shareAllows(r.source, r.bytes)) {
                continue; // its own source must give back first: it holds up nobody meanwhile
            }
            if (!fits(r.bytes)) {
                break; // first come first served: nobody overtakes a frame that waits for room
            }
            it.remove();
            take(r.source, r.bytes);
            granted.add(r.waiter);
        }
        return granted;
    }

    /** Forgets a waiter whose connection is gone (those behind it may fit now). Returns whether it was waiting. */
    public boolean cancel(Waiter waiter) {
        ArrayDeque<Waiter> granted = null;
        synchronized (this) {
            for (Iterator<Request> it = queue.iterator(); it.hasNext();) {
                if (it.next().waiter == waiter) {
                    it.remove();
                    granted = grant();
                    break;
                }
            }
        }
        if (granted == null) {
            return false;
        }
        granted.forEach(Waiter::granted);
        return true;
    }
}
