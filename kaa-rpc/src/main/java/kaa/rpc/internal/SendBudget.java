package kaa.rpc.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What we hold to send, across the connections of a server (or all clients
 * of a process): answers, and calls, that wait because their peer does not
 * read them. Each connection stops reading its peer's calls once 16 MiB wait
 * for it, but the calls already running still answer; and many such peers
 * together would hold what no single one may. Once the total passes the
 * budget, a connection that holds more than {@link Options#OUTBOUND_LOW_WATER}
 * unsent (its peer reads nothing) is closed when it would take more; a
 * connection whose peer reads what we send holds little, and is served on.
 *
 * <p>The total is kept by each connection's {@link Outbox}, on its I/O
 * thread, from Netty's own count of what is unsent: it may lag by what was
 * queued since the connection's last write, never more.
 */
public final class SendBudget {

    /** The default: 256 MiB, or a quarter of the direct memory the JVM allows, if that is less. */
    public static final long DEFAULT_BYTES = Math.max(16L << 20,
            Math.min(256L << 20, io.netty.util.internal.PlatformDependent.maxDirectMemory() / 4));

    private static volatile SendBudget clients;

    private final long limit;
    private final AtomicLong held = new AtomicLong();

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

    void add(long delta) {
        held.addAndGet(delta);
    }

    /** Whether a connection that holds {@code unsent} bytes may take {@code bytes} more. */
    boolean admits(long unsent, long bytes) {
        return unsent <= Options.OUTBOUND_LOW_WATER || held.get() + bytes <= limit;
    }
}
