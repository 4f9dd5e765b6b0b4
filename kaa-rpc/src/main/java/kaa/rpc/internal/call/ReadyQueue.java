package kaa.rpc.internal.call;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;

/**
 * The calls waiting for the session to open, in the order they were made:
 * every call made before a client's first open, and, while a retrying client
 * reconnects, the calls that wait for ready. Bounded by
 * {@link FrameLimits#OUTBOUND_HIGH_WATER} bytes, as a server that stays down
 * must not make us grow; each call's wait by its deadline, or by the
 * channel's ready time-out when it has none.
 *
 * <p>Ownership of each queued call's frame: while the call is in this
 * queue, the queue owns its buffer, and whoever takes the call out releases
 * it (a call forgotten by its caller, a session that closes:
 * {@link #releaseAll}). On open, {@link #sendAll} hands each buffer to the
 * connection, which owns it from then on; a call its caller forgot after
 * open took the queue is released there instead, never sent.
 *
 * <p>Every method but the two static ones is called with the session's
 * lock held, which guards this queue together with the session's state (a
 * call is queued only while the session is connecting). The static ones run
 * outside it, on a batch that {@link #takeAll} made the caller's.
 */
public final class ReadyQueue {

    /**
     * What a queued call counts at least, whatever the size of its frame:
     * about what its future, timer and table entry hold, so that many tiny
     * calls are bounded by what they hold, not by their bytes alone.
     */
    static final int MIN_CALL_SIZE = 512;

    private ArrayDeque<PendingCall> calls = new ArrayDeque<>();
    /** The bytes of the calls queued. */
    private long bytes;

    /** Queues {@code call}, unless that would pass the bound (a first call always fits). Session lock held. */
    public boolean offer(PendingCall call) {
        int size = Math.max(call.frameSize(), MIN_CALL_SIZE);
        if (!calls.isEmpty() && bytes + size > FrameLimits.OUTBOUND_HIGH_WATER) {
            return false;
        }
        calls.add(call);
        call.queuedSize = size;
        bytes += size;
        call.queued = true;
        return true;
    }

    /** Takes {@code call} out if it is queued; its buffer is then the caller's to release. Session lock held. */
    public boolean remove(PendingCall call) {
        boolean was = calls.remove(call);
        if (was) {
            bytes -= call.queuedSize;
            call.queued = false;
        }
        return was;
    }

    /** Takes every call out, in order, for {@link #sendAll} or {@link #releaseAll}. Session lock held. */
    public ArrayDeque<PendingCall> takeAll() {
        ArrayDeque<PendingCall> all = calls;
        calls = new ArrayDeque<>();
        bytes = 0;
        for (PendingCall c : all) {
            c.queued = false;
        }
        return all;
    }

    /**
     * Sends the calls {@link #takeAll} took, on the connection's own thread
     * and ahead of whatever other threads send from now on; not under the
     * session's lock (a call's monitor is taken here).
     */
    public static void sendAll(ArrayDeque<PendingCall> batch, FrameSink sink) {
        for (PendingCall c : batch) {
            ByteBuf b = c.sendQueued(sink);
            if (b != null) {
                sink.sendNow(b);
            }
        }
        sink.flushNow();
    }

    /** Releases the buffers of calls that will never be sent; not under the session's lock. */
    public static void releaseAll(ArrayDeque<PendingCall> batch) {
        batch.forEach(PendingCall::releaseBuffer);
    }
}
