package kaa.rpc.internal.call;

import io.netty.buffer.ByteBuf;
import java.lang.reflect.Type;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.NotConnectedException;
import kaa.rpc.RemoteException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.exec.Durations;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.MalformedPickleException;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.RemoteErrors;
import kaa.rpc.internal.pickle.SendPolicy;
import kaa.rpc.internal.session.Session;
import kaa.rpc.internal.value.WorkBudget;
import kaa.rpc.internal.value.WorkLimitException;

/**
 * Our calls to the peer: the call table (seq to {@link PendingCall}),
 * their time-outs, the CNCL a Java peer hears when a call is no longer
 * wanted, and the answers. The session says where a new call goes
 * ({@link Route}); this class never sees the session's state.
 *
 * <p>Threads: calls are made on any thread; answers arrive on the I/O
 * thread, which completes their futures; time-outs fire on {@code timers}.
 * The call table is a lock-free map; each call's monitor orders its CALL
 * before any CNCL ({@link PendingCall}).
 */
public final class OutgoingCalls {

    // lines a peer can cause: counted, at most one a second per kind, no stack traces (PeerLog)
    private static final PeerLog LATE_ANSWER = PeerLog.debug(OutgoingCalls.class, "answer to no call");

    /** Where a new call goes, as the session's life cycle says. */
    public interface Route {
        /** What {@link #route} decided. */
        enum Routed { SEND, QUEUED, QUEUE_FULL, NOT_CONNECTED, ENCODE_FOR_ANY_PEER }

        /**
         * Under the session's lock: {@link Routed#SEND} with the open
         * connection in {@link PendingCall#sink}; or, while the session first
         * connects (or reconnects, for a call that waits for ready), the call
         * queued ({@link ReadyQueue#offer}) or refused as the queue is full;
         * otherwise not connected. A call that {@linkplain
         * PendingCall#mayWaitInQueue may not wait in the queue} is not queued but
         * sent back, {@link Routed#ENCODE_FOR_ANY_PEER}: the next connection's
         * peer may be any, and the open that sends the queue may come as soon as
         * the lock is free.
         */
        Routed route(PendingCall call);

        /** Takes {@code call} out of the ready queue if it is there (under the session's lock). */
        boolean unqueue(PendingCall call);

        /** The open connection, or null (for a CNCL). */
        FrameSink openSink();

        /** What the current connection's peer reads, for encoding a call ({@link Dialect#PYTHON} if none). */
        Dialect dialect();

        /** Why a call cannot be made now: the channel is disconnected or closed, and why. */
        NotConnectedException notConnected(String what);
    }

    private final Route route;
    private final Executor executor;
    private final ScheduledExecutorService timers;
    private final SendPolicy pythonObjects;
    /** Whether each call records where it was made, for a RemoteException to show (PeerBuilder.callSites). */
    private final boolean callSites;
    /** The largest payload we accept, and so send: a peer with the same limit would close on a larger one. */
    private final long maxFrameSize;
    private final DecimalLimits decimalLimits;
    /** How long a queued call without a deadline waits for the session to open. */
    private final Duration readyTimeout;

    private final ConcurrentHashMap<Integer, PendingCall> pending = new ConcurrentHashMap<>();
    private final AtomicInteger lastSeq = new AtomicInteger();

    public OutgoingCalls(Route route, Executor executor, ScheduledExecutorService timers, SendPolicy pythonObjects,
            boolean callSites, long maxFrameSize, DecimalLimits decimalLimits, Duration readyTimeout) {
        this.route = route;
        this.readyTimeout = readyTimeout;
        this.executor = executor;
        this.timers = timers;
        this.pythonObjects = pythonObjects;
        this.callSites = callSites;
        this.maxFrameSize = maxFrameSize;
        this.decimalLimits = decimalLimits;
    }

    /** The calls waiting for their answers (or queued until open): what the call table holds. */
    public int inFlight() {
        return pending.size();
    }

    /** The connection open now, or null. */
    ConnectionInfo openConnection() {
        FrameSink sink = route.openSink();
        return sink == null ? null : sink.info();
    }

    /** The call table, for tests. */
    public Map<Integer, PendingCall> pending() {
        return pending;
    }

    /** See {@link Session#call}. */
    public <T> RpcFuture<T> call(String command, Object[] args, Map<String, ?> kwargs, Type resultType,
            Duration timeout, boolean waitForReady) {
        return call(command, args, kwargs, resultType, timeout, waitForReady, null);
    }

    /** See {@link Session#call}. */
    public <T> RpcFuture<T> call(String command, Object[] args, Map<String, ?> kwargs, Type resultType,
            Duration timeout, boolean waitForReady, Function<RemoteException, ? extends Throwable> failures) {
        return call(command, args, kwargs, Map.of(), resultType, timeout, waitForReady, failures);
    }

    /**
     * See {@link Session#call}; {@code headers} go with the call to a peer that
     * reads them (a CALH), and are dropped for any other.
     */
    public <T> RpcFuture<T> call(String command, Object[] args, Map<String, ?> kwargs, Map<String, String> headers,
            Type resultType, Duration timeout, boolean waitForReady,
            Function<RemoteException, ? extends Throwable> failures) {
        RpcFuture<T> future = new RpcFuture<>(executor);
        int seq = nextSeq();
        Dialect dialect = route.dialect();
        boolean javaPeer = dialect.readsShortcuts();
        boolean withHeaders = !headers.isEmpty() && dialect.readsHeaders();
        ByteBuf buf = Packet.buffer(null, PickleWriter.sizeHint(args, javaPeer));
        int headersAt;
        try {
            Packet.writeHeader(buf, seq, withHeaders ? Packet.CALH : Packet.CALL, 0);
            headersAt = PickleWriter.writeCall(buf, command, args, kwargs, withHeaders ? headers : null, javaPeer,
                    pythonObjects);
            Packet.patchLength(buf, 0);
            Packet.checkSize(buf, maxFrameSize);
        } catch (RuntimeException | StackOverflowError e) {
            buf.release();
            future.completeExceptionally(new IllegalArgumentException("cannot send call '" + command + "': "
                    + e.getMessage(), e));
            return future;
        }
        // the connection a call goes on may not be the one whose dialect encoded it (queued for the next, or one
        // that opened meanwhile): with headers, it goes as that connection's peer reads it
        PendingCall call = headers.isEmpty()
                ? new PendingCall(command, resultType, future, buf, waitForReady, failures)
                : new PendingCall.WithHeaders(command, resultType, future, buf, waitForReady, failures, headers,
                        headersAt, maxFrameSize);
        if (callSites) {
            call.site = new Exception("call '" + command + "' was made here");
        }
        pending.put(seq, call);
        // however the future is settled (answer, time-out, or the caller's own cancel, complete or
        // orTimeout), the call is forgotten: no entry, timer or queued buffer is left behind
        future.onSettled(() -> forget(seq, call));
        call.shortcuts = javaPeer;
        Route.Routed routed = route.route(call); // marked sent only once in the outbox: a refusal below sends no CNCL
        if (routed == Route.Routed.ENCODE_FOR_ANY_PEER) {
            // encoded for a peer of this library, as the connection seen then said; that one was lost since, and the
            // call waits for the next, whose peer may be any: encoded again, for any peer, before it is queued
            reencodeForAnyPeer(seq, call, command, args, kwargs);
            routed = route.route(call);
        }
        FrameSink sink = call.sink;
        call.sink = null;
        if (call.shortcuts && sink != null && !sink.dialect().readsShortcuts()) {
            // routed to a connection that opened since, whose peer reads no shortcuts (headers go if it reads them)
            reencodeForAnyPeer(seq, call, command, args, kwargs);
        }
        if (routed == Route.Routed.QUEUED) { // decided under the session's lock: open may have sent it since
            if (pending.get(seq) != call) { // settled meanwhile (a connection lost, a cancel): never to be sent
                if (route.unqueue(call)) {
                    call.releaseBuffer();
                }
                return future;
            }
            // it waits for the connection at most readyTimeout, and never past its own time-out
            if (timeout != null) {
                armTimer(seq, call, timeout);
            }
            if (timeout == null || timeout.compareTo(readyTimeout) > 0) {
                armReadyTimer(seq, call);
            }
            return future;
        }
        if (routed == Route.Routed.QUEUE_FULL) {
            call.releaseBuffer(); // never queued nor sent: still ours
            future.completeExceptionally(new RejectedExecutionException("call '" + command + "' refused: more than "
                    + (FrameLimits.OUTBOUND_HIGH_WATER >> 20) + " MiB of calls already wait for the connection to open"));
            return future;
        }
        if (sink != null && !sink.isActive()) { // closing: the session hears of it in a moment
            call.releaseBuffer();
            future.completeExceptionally(new NotConnectedException("cannot call '" + command + "': the connection "
                    + "to " + sink.peer() + " is closing"));
            return future;
        }
        if (sink == null) { // disconnected or closed
            call.releaseBuffer();
            future.completeExceptionally(route.notConnected("cannot call '" + command + "'"));
            return future;
        }
        String refused = !sink.acceptsMore()
                ? "more than " + (FrameLimits.OUTBOUND_HIGH_WATER >> 20) + " MiB wait to be sent to a peer that is not reading"
                : !sink.admits(call.frameSize()) ? "what all connections hold unsent fills the send budget ("
                        + sink.sendBudgetLimit() + " bytes), and this peer's connection holds the most" : null;
        if (refused != null) { // refuse rather than grow
            call.releaseBuffer();
            future.completeExceptionally(new RejectedExecutionException("call '" + command + "' refused: " + refused));
            return future;
        }
        armTimer(seq, call, timeout);
        call.send(sink);
        return future;
    }

    /** A CALL frame any peer reads (no shortcut of this library's, no headers), or null if it cannot be made. */
    /** Replaces a call's frame, still the caller's, with one for any peer (or keeps it, if none can be made). */
    private void reencodeForAnyPeer(int seq, PendingCall call, String command, Object[] args, Map<String, ?> kwargs) {
        ByteBuf forAny = encodeForAnyPeer(seq, command, args, kwargs);
        if (forAny != null) {
            call.reencoded(forAny);
        }
        call.shortcuts = false;
    }

    private ByteBuf encodeForAnyPeer(int seq, String command, Object[] args, Map<String, ?> kwargs) {
        ByteBuf buf = Packet.buffer(null, PickleWriter.sizeHint(args, false));
        try {
            Packet.writeHeader(buf, seq, Packet.CALL, 0);
            PickleWriter.writeCall(buf, command, args, kwargs, null, false, pythonObjects);
            Packet.patchLength(buf, 0);
            Packet.checkSize(buf, maxFrameSize);
            return buf;
        } catch (RuntimeException | StackOverflowError e) { // as it was encoded, then: the peer says what it reads
            buf.release();
            return null;
        }
    }

    /**
     * Starts the call's time-out, once it is queued or about to be sent (a
     * time-out that fired before would forget a call that is then sent all the same).
     */
    private void armTimer(int seq, PendingCall call, Duration timeout) {
        if (timeout == null) {
            return;
        }
        call.timer = timers.schedule(() -> {
            Forgotten f = forget(seq, call);
            if (f != Forgotten.NOT_PENDING) {
                call.future.completeExceptionally(new TimeoutException("call '" + call.command
                        + "' got no answer within " + describe(timeout) + (f == Forgotten.SENT
                                ? " (it may still run on the peer)" : " (it was never sent: no connection opened)")));
            }
        }, Durations.nanos(timeout), TimeUnit.NANOSECONDS);
        if (pending.get(seq) != call) {
            call.cancelTimer(); // answered or forgotten meanwhile
        }
    }

    /**
     * Bounds the wait in the queue of a call whose deadline (if any) is later
     * than the ready time-out: past that it fails, unless open has taken it to
     * send meanwhile (which cancels this timer; once sent, the call waits for
     * its answer until its deadline, or as long as the connection lasts).
     */
    private void armReadyTimer(int seq, PendingCall call) {
        call.readyTimer = timers.schedule(() -> {
            if (!route.unqueue(call)) {
                return; // sent, or forgotten: not ours to settle
            }
            call.releaseBuffer(); // out of the queue, so ours
            if (pending.remove(seq, call)) {
                call.cancelTimer();
                call.future.completeExceptionally(route.notConnected("call '" + call.command + "' waited "
                        + describe(readyTimeout) + " for the connection to open, and was never sent"));
            }
        }, Durations.nanos(readyTimeout), TimeUnit.NANOSECONDS);
        if (!call.queued) {
            call.cancelReadyTimer(); // sent or forgotten meanwhile (its deadline, if any, still stands)
        }
    }

    /** What {@link #forget} found: the call answered already, or pending and sent to the peer or not. */
    private enum Forgotten { NOT_PENDING, UNSENT, SENT }

    /** Drops a call that is still pending (and still queued, if it is). */
    private Forgotten forget(int seq, PendingCall call) {
        if (!pending.remove(seq, call)) {
            return Forgotten.NOT_PENDING;
        }
        Forgotten f = Forgotten.UNSENT;
        if (route.unqueue(call)) {
            call.releaseBuffer();
        } else if (call.forget()) {
            sendCancel(seq); // after the CALL: it was in the outbox before forget() could see it sent
            f = Forgotten.SENT;
        }
        call.cancelTimer();
        return f;
    }

    /** Tells a Java peer that call {@code seq} is no longer wanted: its callee is cancelled or interrupted. */
    private void sendCancel(int seq) {
        FrameSink sink = route.openSink();
        if (sink != null && sink.dialect().readsCancel() && sink.isActive()) {
            ByteBuf buf = sink.alloc().buffer(Packet.HEADER_SIZE);
            Packet.writeHeader(buf, seq, Packet.CNCL, 0);
            sink.send(buf);
        }
    }

    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private int nextSeq() {
        int seq;
        do {
            seq = lastSeq.incrementAndGet();
        } while (seq == 0 || pending.containsKey(seq));
        return seq;
    }

    /**
     * Fails the calls sent (or being sent) on a lost connection, with
     * {@code reason}; {@code all} fails the queued ones too (the session closes).
     */
    public void failPending(Throwable reason, boolean all) {
        for (Map.Entry<Integer, PendingCall> e : pending.entrySet()) {
            PendingCall c = e.getValue();
            // a call not queued was sent, or is being sent, on the lost connection
            if ((all || !c.queued) && pending.remove(e.getKey(), c)) {
                c.forget(); // one being routed now is then released where it goes, never sent
                c.cancelTimer();
                c.future.completeExceptionally(new NotConnectedException("call '" + c.command
                        + "' failed: connection closed (" + reason.getMessage() + ")", reason));
            }
        }
    }

    /**
     * The peer's RETN (or EXCP) for call {@code seq} arrived on {@code from}:
     * completes its future. On the I/O thread; the payload is the caller's.
     */
    public void onAnswer(FrameSink from, int seq, boolean error, ByteBuf payload) {
        PendingCall call = pending.remove(seq);
        if (call == null) {
            LATE_ANSWER.log("dropping answer to unknown or forgotten call seq {}", Integer.toUnsignedString(seq));
            return;
        }
        call.cancelTimer();
        Object value;
        boolean tree;
        int size = payload.readableBytes();
        try {
            PickleReader.Decoded decoded = PickleReader.decode(payload, WorkBudget.forPayload(size), decimalLimits);
            value = decoded.value();
            tree = decoded.tree();
        } catch (MalformedPickleException e) {
            call.future.completeExceptionally(new ProtocolException((e.getCause() instanceof WorkLimitException
                    ? "refused the " : "malformed ") + (error ? "EXCP" : "RETN") + " payload answering '"
                    + call.command + "': " + e.getMessage()));
            return;
        }
        if (error) {
            try {
                RemoteException e = RemoteErrors.fromPayload(call.command, from.peer(), value);
                if (call.site != null) {
                    e.addSuppressed(call.site);
                }
                if (call.failures == null) {
                    call.future.completeExceptionally(e);
                } else { // user code makes what it becomes: run as a conversion is, off the I/O thread
                    call.future.completeByConversion(() -> call.fail(e));
                }
            } catch (RuntimeException e) { // a shape no peer sends: only this call fails
                call.future.completeExceptionally(new ProtocolException("malformed EXCP payload answering '"
                        + call.command + "': " + e));
            }
        } else if (Conversions.isPlain(call.resultType)) {
            call.complete(value, size, tree);
        } else {
            // converting to a record or bean runs user constructors: not on the I/O thread, but on a caller
            // waiting for it, or else the executor (see RpcFuture)
            call.future.completeByConversion(() -> call.complete(value, size, tree));
        }
    }
}
