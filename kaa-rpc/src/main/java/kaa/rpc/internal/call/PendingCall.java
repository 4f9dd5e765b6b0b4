package kaa.rpc.internal.call;

import io.netty.buffer.ByteBuf;
import java.lang.reflect.Type;
import java.net.ProtocolException;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Function;
import kaa.rpc.RemoteException;
import kaa.rpc.internal.convert.ConversionException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.WorkBudget;
import kaa.rpc.internal.value.WorkLimitException;

/**
 * One of our calls, from its encoding to its answer (or time-out, or
 * cancel). Until it is handed to a connection, its frame is its own
 * ({@link #releaseBuffer}); once handed over, the connection owns it.
 */
public class PendingCall {
    final String command;
    final Type resultType;
    final RpcFuture<Object> future;
    /** Whether, made while the session reconnects, it waits for the next open rather than failing at once. */
    public final boolean waitsForReady;
    /** What a remote error becomes (user code: run off the I/O thread), or null to fail with it as it is. */
    final Function<RemoteException, ? extends Throwable> failures;
    /**
     * The frame while it is the call's own: the caller's until it is routed, then, once queued, taken
     * by whoever sends, forgets or drops the call (guarded by this call's monitor).
     */
    private ByteBuf buffer;
    /**
     * Encoded with the pickle shortcuts only this library reads; written and read by the calling thread
     * before the call is queued or sent.
     */
    boolean shortcuts;
    /** Handed to the connection (guarded by this call's monitor, which orders its CALL before any CNCL). */
    private boolean sent;
    /** Settled before it was handed over: it is never sent (guarded by this call's monitor). */
    private boolean forgotten;
    /** In the {@link ReadyQueue} (written under the session's lock), and its size there. */
    volatile boolean queued;
    int queuedSize;
    /** The connection a new call is routed to; written and read only by the calling thread (see OutgoingCalls.Route). */
    public FrameSink sink;
    /** The call's deadline, from when it is queued or sent. */
    volatile Future<?> timer;
    /** The bound on its wait in the queue when it has no deadline; cancelled once it is sent. */
    volatile Future<?> readyTimer;
    /** Where the call was made, when call sites are recorded. */
    Exception site;
    @SuppressWarnings("unchecked")
    PendingCall(String command, Type resultType, RpcFuture<?> future, ByteBuf buffer, boolean waitsForReady,
            Function<RemoteException, ? extends Throwable> failures) {
        this.command = command;
        this.resultType = resultType;
        this.future = (RpcFuture<Object>) future;
        this.waitsForReady = waitsForReady;
        this.failures = failures;
        this.buffer = buffer;
    }

    /** Its frame while it is still its own (not yet handed over nor released), else null; for tests. */
    public ByteBuf frame() {
        return buffer;
    }

    /** The size of its frame, while it still holds it. */
    synchronized int frameSize() {
        return buffer.readableBytes();
    }

    /** Hands the call to the connection, unless it was forgotten meanwhile. */
    synchronized void send(FrameSink sink) {
        if (forgotten) {
            releaseBuffer();
            return;
        }
        ByteBuf frame = takeBuffer();
        sink.send(frameFor(sink, frame));
        sent = true;
    }

    /**
     * Replaces the call's frame with {@code frame}, the call encoded again
     * (for any peer, with no headers), if the call still holds its own; else
     * releases {@code frame}.
     */
    synchronized void reencoded(ByteBuf frame) {
        if (buffer == null) { // handed over (or released) meanwhile
            frame.release();
            return;
        }
        buffer.release();
        buffer = frame;
        headersLeftOut();
    }

    /** The frame now holds no headers (under the call's monitor). */
    void headersLeftOut() {
    }

    /**
     * Taken by the session's open, on the I/O thread, which sends it to
     * {@code sink} before any later CNCL.
     */
    synchronized ByteBuf sendQueued(FrameSink sink) {
        if (forgotten) { // settled after open took the queue: never sent, so no cancel either
            releaseBuffer();
            return null;
        }
        sent = true;
        cancelReadyTimer();
        return frameFor(sink, takeBuffer());
    }

    /** The frame to send on {@code sink}: the call's own ({@link WithHeaders} may make another). */
    ByteBuf frameFor(FrameSink sink, ByteBuf frame) {
        return frame;
    }

    /**
     * A call with headers. Encoded for the connection it saw when it was
     * made: as a CALH for a peer that reads headers, else as a CALL (also
     * before any connection said what its peer reads). It may go on another
     * (queued for the next open, or routed to a connection that opened
     * meanwhile): it is then sent as that connection's peer reads it, the
     * headers added or taken off. A class of its own, so that a call without
     * headers holds no field for them.
     */
    static final class WithHeaders extends PendingCall {
        private final Map<String, String> headers;
        /** Where the headers begin in the frame, if it was encoded as a CALH; else -1 (guarded by the call's monitor). */
        private int headersAt;
        private final long maxPayload;

        WithHeaders(String command, Type resultType, RpcFuture<?> future, ByteBuf buffer, boolean waitsForReady,
                Function<RemoteException, ? extends Throwable> failures, Map<String, String> headers, int headersAt,
                long maxPayload) {
            super(command, resultType, future, buffer, waitsForReady, failures);
            this.headers = headers;
            this.headersAt = headersAt;
            this.maxPayload = maxPayload;
        }

        @Override
        void headersLeftOut() {
            headersAt = -1;
        }

        /** The call as {@code sink}'s peer reads it; the frame as it is if it cannot be made (it is sent so). */
        @Override
        ByteBuf frameFor(FrameSink sink, ByteBuf frame) {
            boolean isCalh = headersAt >= 0;
            if (isCalh == sink.dialect().readsHeaders()) {
                return frame;
            }
            ByteBuf other;
            try {
                other = sink.alloc().buffer(isCalh ? frame.readableBytes() : frame.readableBytes() + 256);
            } catch (RuntimeException | OutOfMemoryError e) {
                return frame; // no memory for another: this one goes (a CALH a peer ignores, or a CALL without headers)
            }
            int start = frame.readerIndex() + Packet.HEADER_SIZE;
            Packet.writeHeader(other, frame.getIntLE(frame.readerIndex()), isCalh ? Packet.CALL : Packet.CALH, 0);
            boolean made = isCalh ? PickleWriter.writeWithoutHeaders(other, frame, start, headersAt)
                    : PickleWriter.writeWithHeaders(other, frame, start, frame.writerIndex(), headers);
            if (!made || other.readableBytes() - Packet.HEADER_SIZE > maxPayload) {
                other.release();
                return frame;
            }
            Packet.patchLength(other, 0);
            frame.release();
            return other;
        }
    }

    /** The call is no longer wanted. Returns whether it had been sent (so the peer should hear a cancel). */
    synchronized boolean forget() {
        forgotten = true;
        return sent;
    }

    /**
     * Whether the call may wait in the {@link ReadyQueue}: not while its
     * frame is one only a peer of this library reads, as the connection that
     * sends the queue may have any peer.
     */
    public boolean mayWaitInQueue() {
        return !shortcuts;
    }

    /** Its deadline and its bound on the wait for ready: it is settled. */
    void cancelTimer() {
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        cancelReadyTimer();
    }

    /** Its bound on the wait for ready only: it is out of the queue. */
    void cancelReadyTimer() {
        Future<?> ready = readyTimer;
        if (ready != null) {
            ready.cancel(false);
        }
    }

    synchronized ByteBuf takeBuffer() {
        ByteBuf b = buffer;
        buffer = null;
        return b;
    }

    synchronized void releaseBuffer() {
        ByteBuf b = takeBuffer();
        if (b != null) {
            b.release();
        }
    }

    /** Fails with the remote error, as {@link #failures} makes it. Not on the I/O thread. */
    void fail(RemoteException remote) {
        Throwable mapped;
        try {
            mapped = failures.apply(remote);
        } catch (RuntimeException | LinkageError e) {
            if (e != remote) {
                e.addSuppressed(remote);
            }
            mapped = e; // the mapping's own bug, shown rather than hidden
        }
        future.completeExceptionally(mapped == null ? remote : mapped);
    }

    /**
     * Completes with the answer, converted; {@code payloadSize} bounds the
     * work of converting it, and {@code tree} says no container in it is
     * reached twice.
     */
    void complete(Object value, int payloadSize, boolean tree) {
        try {
            // a Java caller reads the message: Java's names for what arrived
            Conversions.Conversion conversion = Conversions.conversion(WorkBudget.forPayload(payloadSize)).javaWording()
                    .ofTree(tree);
            future.complete(conversion.convert(value, resultType));
        } catch (ConversionException e) {
            future.completeExceptionally(new ClassCastException("the result of '" + command
                    + "' does not convert to " + Repr.javaName(resultType) + ": " + e.getMessage()));
        } catch (WorkLimitException e) {
            future.completeExceptionally(new ProtocolException("refused the answer to '" + command + "': "
                    + e.getMessage()));
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
    }
}
