package kaa.rpc.internal;

import java.util.ArrayDeque;
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
 * queue; a peer that takes a reservation and then trickles is cut off by the
 * frame deadline ({@link FrameDecoder}), which gives the memory back.
 */
public final class ReceiveBudget {

    /** The default: room for four frames of the default maximum size. */
    public static final long DEFAULT_BYTES = 256L << 20;

    /** What a connection waiting for room is told when it gets it (on any thread). */
    interface Waiter {
        void granted();
    }

    private static final class Request {
        final Waiter waiter;
        final long bytes;

        Request(Waiter waiter, long bytes) {
            this.waiter = waiter;
            this.bytes = bytes;
        }
    }

    private static volatile ReceiveBudget clients;

    private final long limit;
    private long reserved;
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
     * Reserves {@code bytes} if they fit and nobody waits before us;
     * otherwise queues {@code waiter}, which hears {@link Waiter#granted} once
     * they are reserved for it. A frame larger than the whole budget waits for
     * the budget to be empty and then has it alone.
     *
     * @return whether the bytes are reserved now
     */
    synchronized boolean reserve(long bytes, Waiter waiter) {
        if (queue.isEmpty() && fits(bytes)) {
            reserved += bytes;
            return true;
        }
        queue.add(new Request(waiter, bytes));
        return false;
    }

    private boolean fits(long bytes) {
        return reserved + bytes <= limit || reserved == 0;
    }

    /** Gives back {@code bytes}, and grants what now fits to those waiting, in order. */
    void release(long bytes) {
        ArrayDeque<Waiter> granted = new ArrayDeque<>();
        synchronized (this) {
            reserved -= bytes;
            while (!queue.isEmpty() && fits(queue.peek().bytes)) {
                Request r = queue.poll();
                reserved += r.bytes;
                granted.add(r.waiter);
            }
        }
        granted.forEach(Waiter::granted); // outside the lock: they hop to their own threads
    }

    /** Forgets a waiter whose connection is gone. Returns whether it was waiting. */
    synchronized boolean cancel(Waiter waiter) {
        for (Iterator<Request> it = queue.iterator(); it.hasNext();) {
            if (it.next().waiter == waiter) {
                it.remove();
                return true;
            }
        }
        return false;
    }
}
