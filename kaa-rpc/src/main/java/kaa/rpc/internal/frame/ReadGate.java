package kaa.rpc.internal.frame;

import io.netty.channel.Channel;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import kaa.rpc.internal.frame.ReadControl.Reason;

/**
 * Whether a connection is read, and if not, why: once its handshake is
 * done, the one owner of Netty's {@code autoRead} for a connection. Each
 * pause has a reason, and the reason says whose time it is:
 * <ul>
 * <li>{@link Reason#BUSY}: as many of the peer's calls run as allowed. Our
 * work: the peer's clocks stop.</li>
 * <li>{@link Reason#BUDGET}: the next frame waits for room in the receive
 * budget that connections share. Our memory: the peer's clocks stop.</li>
 * <li>{@link Reason#PEER_NOT_READING}: our answers to the peer pile up unread.
 * The peer's doing: its time runs on.</li>
 * </ul>
 * Two clocks come of it. The <em>reading clock</em> stops whenever we do not
 * read, whatever the reason: it measures how long a peer takes to send a
 * frame, and bytes waiting unread in our own socket are not the peer's delay.
 * The <em>peer's clock</em> stops only for our own pauses: it measures how
 * long a peer holds what it was granted (a reservation of the shared budget),
 * which a peer could otherwise keep for ever by not reading our answers.
 *
 * <p>Confined to the connection's event loop.
 */
public final class ReadGate {

    private static final int OURS = Reason.BUSY.bit | Reason.BUDGET.bit;

    private final Channel channel;
    private final BooleanSupplier busy;
    private final BooleanSupplier peerNotReading;
    /** Told of every change of pauses (after it is made), so that deadlines on a clock that stood still run again. */
    private final Runnable changed;
    /**
     * Whether the connection's handshake is done: the one record of it for
     * the connection's reading (its decoder's frame limit, its read size,
     * its pauses). Pauses apply once it is; before, the handshake's own
     * limits bound a connection.
     */
    private boolean open;
    private int pauses;
    private long readNanos;
    private long peerNanos;
    /** When the current stretch of each clock began (valid while that clock runs), and when the peer's pause did. */
    private long readSince;
    private long peerSince;
    private long peerPauseSince;

    /**
     * @param busy whether the peer's calls fill their slots now
     * @param peerNotReading whether our answers to the peer pile up unread now
     */
    ReadGate(Channel channel, BooleanSupplier busy, BooleanSupplier peerNotReading, Runnable changed) {
        this.channel = channel;
        this.busy = busy;
        this.peerNotReading = peerNotReading;
        this.changed = changed;
        long now = now();
        readSince = now;
        peerSince = now;
    }

    void opened() {
        open = true;
    }

    /** Whether the handshake is done (see {@link #open}); on the event loop. */
    public boolean isOpen() {
        return open;
    }

    /** Marks whether the next frame waits for the receive budget. Returns whether reading is paused now. */
    boolean waitForBudget(boolean waiting) {
        return apply(waiting ? pauses | Reason.BUDGET.bit : pauses & ~Reason.BUDGET.bit);
    }

    /**
     * Looks again at the peer's calls and our answers, and pauses or resumes
     * reading to match. Returns whether reading is paused now.
     */
    boolean update() {
        if (!open) {
            return pauses != 0;
        }
        int p = pauses & Reason.BUDGET.bit;
        if (busy.getAsBoolean()) {
            p |= Reason.BUSY.bit;
        }
        if (peerNotReading.getAsBoolean()) {
            p |= Reason.PEER_NOT_READING.bit;
        }
        return apply(p);
    }

    private boolean apply(int p) {
        if (p == pauses) {
            return p != 0;
        }
        long now = now();
        if (pauses == 0) {
            readNanos += now - readSince;
        } else if (p == 0) {
            readSince = now;
        }
        boolean wasOurs = (pauses & OURS) != 0;
        boolean isOurs = (p & OURS) != 0;
        if (!wasOurs && isOurs) {
            peerNanos += now - peerSince;
        } else if (wasOurs && !isOurs) {
            peerSince = now;
        }
        if ((p & Reason.PEER_NOT_READING.bit) != 0 && (pauses & Reason.PEER_NOT_READING.bit) == 0) {
            peerPauseSince = now;
        }
        pauses = p;
        channel.config().setAutoRead(p == 0);
        changed.run();
        return p != 0;
    }

    boolean paused() {
        return pauses != 0;
    }

    public boolean pausedByUs() {
        return (pauses & OURS) != 0;
    }

    public boolean pausedByPeer() {
        return (pauses & Reason.PEER_NOT_READING.bit) != 0;
    }

    /** How long the peer has not read our answers (0 if it reads them). */
    public long peerPausedNanos() {
        return pausedByPeer() ? now() - peerPauseSince : 0;
    }

    /** Nanoseconds spent reading: it stands still while the connection is not read. */
    long readingClock() {
        return pauses == 0 ? readNanos + now() - readSince : readNanos;
    }

    /** Nanoseconds that are the peer's: it stands still only while we pause for our own reasons. */
    long peerClock() {
        return pausedByUs() ? peerNanos : peerNanos + now() - peerSince;
    }

    /** Why reading is paused, for a log line. */
    String reasons() {
        StringBuilder b = new StringBuilder();
        for (Reason p : Reason.values()) {
            if ((pauses & p.bit) != 0) {
                b.append(b.length() == 0 ? "" : ", ").append(p.name().toLowerCase(Locale.ROOT));
            }
        }
        return b.length() == 0 ? "reading" : b.toString();
    }

    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }
}
