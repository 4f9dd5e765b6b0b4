package kaa.rpc.internal.session;

import java.io.IOException;
import java.lang.reflect.Type;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import kaa.rpc.AuthenticationException;
import kaa.rpc.Channel;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.NotConnectedException;
import kaa.rpc.OutgoingInterceptor;
import kaa.rpc.PresumedAuthenticationException;
import kaa.rpc.RemoteException;
import kaa.rpc.internal.call.OutgoingCalls;
import kaa.rpc.internal.call.OutgoingChain;
import kaa.rpc.internal.call.PendingCall;
import kaa.rpc.internal.call.ReadyQueue;
import kaa.rpc.internal.call.RpcFuture;
import kaa.rpc.internal.dispatch.CallSource;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.dispatch.IncomingCalls;
import kaa.rpc.internal.dispatch.Replies;
import kaa.rpc.internal.dispatch.RunningCalls;
import kaa.rpc.internal.exec.IoThreads;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.PacketType;
import kaa.rpc.internal.frame.ReadControl;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.SendPolicy;

/**
 * The engine of one {@code kaa.rpc.Channel}: its life cycle across
 * connections (a client's session outlives its connections when it
 * reconnects), and the router of each packet to our calls
 * ({@link OutgoingCalls}) or the peer's ({@link IncomingCalls}), which meet
 * only here. A connection is a {@link FrameSink} and a {@link ReadControl};
 * the session never sees a socket.
 *
 * <p>Threads: packets arrive on the connection's I/O thread, which decodes
 * them and completes the futures of answered calls; exposed methods run on
 * the executor; calls may be made from any thread.
 */
public final class Session {

    /** What the owning channel hears of its session. */
    public interface Listener {
        void opened();

        void closed(Throwable reason);
    }

    private enum State { CONNECTING, OPEN, DISCONNECTED, CLOSED }

    /**
     * One connection as the session keeps it: where to send, how to pause
     * reading, and the peer's calls that run on it. Made by {@link #attach}.
     */
    public static final class Link {
        final FrameSink sink;
        final ReadControl reads;
        final RunningCalls running;
        /** Whether the peer's calls wait for the owner's {@link #holdIncoming} to end. */
        private volatile boolean held;
        /** The calls that came meanwhile, in order, their payloads retained; on the I/O thread only. */
        private ArrayDeque<Packet> heldCalls;
        /**
         * How many held calls of each seq are still wanted, and how many of each its caller cancelled
         * (the first held ones of that seq are let go at the hold's end); on the I/O thread only.
         */
        private HashMap<Integer, Integer> heldSeqs;
        private HashMap<Integer, Integer> cancelledHeld;

        Link(FrameSink sink, ReadControl reads, RunningCalls running) {
            this.sink = sink;
            this.reads = reads;
            this.running = running;
        }

        /**
         * Whether no further frame is handed on: as many of the peer's calls
         * run (or wait for the owner's hold to end) on this connection as allowed.
         */
        public boolean busy() {
            return running.full() || heldCalls != null && heldCalls.size() >= running.limit();
        }

        /** Holds {@code call} until the hold ends. On the I/O thread. */
        void hold(Packet call) {
            if (heldCalls == null) {
                heldCalls = new ArrayDeque<>();
                heldSeqs = new HashMap<>();
            }
            heldCalls.add(call);
            heldSeqs.merge(call.seq(), 1, Integer::sum);
        }

        /**
         * Marks held call {@code seq} let go, unanswered, as a dispatched one is
         * let go: its caller cancelled it before it could start. Whether one was
         * held. On the I/O thread, in constant time (a peer may send a cancel per
         * twelve bytes).
         */
        boolean cancelHeld(int seq) {
            Integer wanted = heldSeqs == null ? null : heldSeqs.get(seq);
            if (wanted == null) {
                return false;
            }
            if (wanted == 1) {
                heldSeqs.remove(seq);
            } else {
                heldSeqs.put(seq, wanted - 1);
            }
            if (cancelledHeld == null) {
                cancelledHeld = new HashMap<>();
            }
            cancelledHeld.merge(seq, 1, Integer::sum);
            return true;
        }

        /** The held calls, taken: those cancelled meanwhile released, the others in order. On the I/O thread. */
        ArrayDeque<Packet> takeHeld() {
            ArrayDeque<Packet> calls = heldCalls;
            HashMap<Integer, Integer> cancelled = cancelledHeld;
            heldCalls = null;
            heldSeqs = null;
            cancelledHeld = null;
            if (calls != null && cancelled != null) {
                for (Iterator<Packet> it = calls.iterator(); it.hasNext(); ) {
                    Packet call = it.next();
                    Integer n = cancelled.get(call.seq());
                    if (n != null) {
                        if (n == 1) {
                            cancelled.remove(call.seq());
                        } else {
                            cancelled.put(call.seq(), n - 1);
                        }
                        it.remove();
                        call.payload().release();
                    }
                }
            }
            return calls;
        }

        /** Lets go of the calls held back, unanswered: the connection is gone. On the I/O thread. */
        void dropHeld() {
            ArrayDeque<Packet> calls = takeHeld();
            if (calls != null) {
                calls.forEach(p -> p.payload().release());
            }
        }
    }

    // lines a peer can cause: counted, at most one a second per kind, no stack traces (PeerLog)
    private static final PeerLog RETRYING = PeerLog.warn(Session.class, "retrying after a failed handshake");
    private static final PeerLog UNKNOWN_PACKET = PeerLog.warn(Session.class, "unknown packet type");

    private final Executor executor;
    private final Listener listener;
    private final boolean reconnects;
    private final OutgoingCalls outgoing;
    private final IncomingCalls incoming;
    /** Our calls through the outgoing interceptors, or null if there are none. */
    private final OutgoingChain intercepted;

    // The lock guards state, link, queue, closeReason and everOpened, which change together. Only
    // bookkeeping runs under it: no listener, no future completed, no frame sent or buffer released.
    // The one lock taken under it is a call's monitor, briefly, for its frame's size (ReadyQueue.offer);
    // nothing takes this lock under a call's monitor (ReadyQueue.sendAll takes those after releasing it).
    // The call table (OutgoingCalls) is a lock-free map outside it; a connection's dialect is its own
    // (a volatile field of the connection, written once by its I/O thread).
    private final Object lock = new Object();
    private State state = State.CONNECTING;
    /** The current connection; volatile as well, so that a new call reads its dialect without the lock. */
    private volatile Link link;
    private final ReadyQueue queue = new ReadyQueue();
    private Throwable closeReason;
    private boolean everOpened;
    /** Set by {@link #close}, read without the lock by the I/O thread: no packet is dispatched after it. */
    private volatile boolean closed;

    /**
     * @param owner the public channel, passed to {@code addClient} methods
     * @param reconnects whether a lost connection is followed by another (a client with retry)
     * @param timers where the time-outs of calls run
     */
    public Session(Object owner, CommandTable commands, Executor executor, Listener listener, boolean reconnects,
            int maxConcurrentCalls, SendPolicy pythonObjects, boolean directDispatch, boolean callSites,
            long maxFrameSize, DecimalLimits decimalLimits, Duration readyTimeout, ScheduledExecutorService timers) {
        this(owner, commands, executor, listener, reconnects, maxConcurrentCalls, pythonObjects, directDispatch,
                callSites, maxFrameSize, decimalLimits, readyTimeout, timers, List.of(), List.of());
    }

    /** As above, with interceptors around our calls and around the peer's (each outermost first). */
    public Session(Object owner, CommandTable commands, Executor executor, Listener listener, boolean reconnects,
            int maxConcurrentCalls, SendPolicy pythonObjects, boolean directDispatch, boolean callSites,
            long maxFrameSize, DecimalLimits decimalLimits, Duration readyTimeout, ScheduledExecutorService timers,
            List<OutgoingInterceptor> outgoingInterceptors, List<IncomingInterceptor> incomingInterceptors) {
        this.executor = executor;
        this.listener = listener;
        this.reconnects = reconnects;
        // one executor for both sides: what a read sets off (answers' callbacks, calls) goes on, in order, after it
        // (an answer converted to a record or bean completes later, on the executor, and its callbacks follow then)
        Executor afterReads = IoThreads.handedOnAfterIo(executor);
        this.outgoing = new OutgoingCalls(new Routing(), afterReads, timers, pythonObjects, callSites, maxFrameSize,
                decimalLimits, readyTimeout);
        this.incoming = new IncomingCalls(owner, commands, afterReads, maxConcurrentCalls, directDispatch,
                decimalLimits, new Replies(pythonObjects, maxFrameSize), incomingInterceptors);
        // none: a call goes straight to the call table, at no cost
        this.intercepted = outgoingInterceptors.isEmpty() ? null
                : new OutgoingChain(outgoingInterceptors, outgoing, (Channel) owner, afterReads);
    }

    public Executor executor() {
        return executor;
    }

    public boolean isOpen() {
        synchronized (lock) {
            return state == State.OPEN;
        }
    }

    public boolean isClosed() {
        synchronized (lock) {
            return state == State.CLOSED;
        }
    }

    public SocketAddress remoteAddress() {
        Link l;
        synchronized (lock) {
            l = link;
        }
        return l == null ? null : l.sink.remoteAddress();
    }

    /**
     * Holds the current connection's incoming calls back until the returned
     * action runs, from any thread: they wait, in order (reading pauses once
     * as many wait as may run), and are dispatched then. Answers to our calls
     * and cancels still go through, so what waits may itself call the peer.
     * Called on the I/O thread as the connection opens, so that no call of
     * the peer is dispatched before what the opening set off (a server's
     * client-connected handlers, which may register what the peer will call)
     * has run.
     */
    public Runnable holdIncoming() {
        Link l = link;
        if (l == null) {
            return () -> { };
        }
        l.held = true;
        return () -> l.sink.execute(() -> release(l));
    }

    /** Dispatches the calls held back, in order, then the ones that follow as they come. On the I/O thread. */
    private void release(Link l) {
        ArrayDeque<Packet> calls = l.takeHeld();
        l.held = false;
        if (calls != null) {
            for (Packet p : calls) {
                packet(l, p);
            }
        }
        l.reads.reconsider(ReadControl.Reason.BUSY);
    }

    /**
     * Sends a call; the future completes with the answer converted to
     * {@code resultType}, or fails with a {@link TimeoutException}
     * when {@code timeout} (if not null) passes first. Cancelling the future
     * forgets the call: a late answer is dropped.
     */
    public <T> RpcFuture<T> call(String command, Object[] args, Map<String, ?> kwargs, Type resultType,
            Duration timeout, boolean waitForReady) {
        return call(command, args, kwargs, resultType, timeout, waitForReady, null);
    }

    /**
     * As above; a remote error fails the future as {@code failures} makes it
     * (on a caller waiting in {@code get}, or the executor: never on the I/O thread).
     */
    public <T> RpcFuture<T> call(String command, Object[] args, Map<String, ?> kwargs, Type resultType,
            Duration timeout, boolean waitForReady, Function<RemoteException, ? extends Throwable> failures) {
        OutgoingChain chain = intercepted;
        return chain == null ? outgoing.call(command, args, kwargs, resultType, timeout, waitForReady, failures)
                : chain.call(command, args, kwargs, resultType, timeout, waitForReady, failures);
    }

    /** Where a new call goes: the session's state, read under its lock. */
    private final class Routing implements OutgoingCalls.Route {
        @Override
        public Routed route(PendingCall call) {
            synchronized (lock) {
                if (state == State.OPEN) {
                    call.sink = link.sink;
                    return Routed.SEND;
                }
                if (state == State.CONNECTING || state == State.DISCONNECTED && call.waitsForReady) {
                    if (!call.mayWaitInQueue()) {
                        return Routed.ENCODE_FOR_ANY_PEER;
                    }
                    return queue.offer(call) ? Routed.QUEUED : Routed.QUEUE_FULL;
                }
                return Routed.NOT_CONNECTED;
            }
        }

        @Override
        public boolean unqueue(PendingCall call) {
            synchronized (lock) {
                return queue.remove(call);
            }
        }

        @Override
        public FrameSink openSink() {
            synchronized (lock) {
                return state == State.OPEN ? link.sink : null;
            }
        }

        @Override
        public Dialect dialect() {
            Link l = link;
            return l == null ? Dialect.PYTHON : l.sink.dialect();
        }

        @Override
        public NotConnectedException notConnected(String what) {
            Throwable reason;
            State s;
            synchronized (lock) {
                reason = closeReason;
                s = state;
            }
            String why = s == State.CLOSED ? "the channel is closed" : "the channel is disconnected";
            return reason == null ? new NotConnectedException(what + ": " + why)
                    : new NotConnectedException(what + ": " + why + " (" + reason.getMessage() + ")", reason);
        }
    }

    // ---- connection life cycle (called by the transport) -------------------------------------------------

    /** Whether the current connection is not being read (its peer's calls fill their slots, or answers pile up). */
    public boolean isReadingPaused() {
        Link l;
        synchronized (lock) {
            l = link;
        }
        return l != null && l.reads.paused();
    }

    /** What waits to be sent on the current connection: in its outbox, and in Netty's buffer. */
    public long unsentBytes() {
        Link l;
        synchronized (lock) {
            l = link;
        }
        return l == null ? 0 : l.sink.unsentBytes();
    }

    /** The calls waiting for their answers (or queued until open): what the call table holds. */
    public int callsInFlight() {
        return outgoing.inFlight();
    }

    /** Whether {@code l} is this session's connection now (it was attached, and not lost since). */
    public boolean isCurrent(Link l) {
        synchronized (lock) {
            return l != null && l == link;
        }
    }

    /**
     * A new connection for this session, whose handshake is starting: it
     * sends to {@code sink}, is read as {@code reads} says, and its peer's
     * calls count in {@code source}. A closed session closes it at once.
     */
    public Link attach(FrameSink sink, ReadControl reads, CallSource source) {
        Link l = new Link(sink, reads, incoming.attach(source, reads));
        boolean refuse;
        synchronized (lock) {
            refuse = state == State.CLOSED;
            if (!refuse) {
                link = l;
                // a reconnect attempt in its handshake is not open yet: calls still fail at once (DISCONNECTED);
                // only before the first open do they wait in the queue
                state = everOpened ? State.DISCONNECTED : State.CONNECTING;
            }
        }
        if (refuse) {
            sink.close();
        }
        return l;
    }

    /** The handshake on {@code l} succeeded (its dialect is set). Runs on its I/O thread. */
    public void opened(Link l) {
        ArrayDeque<PendingCall> toSend;
        synchronized (lock) {
            if (l != link || state == State.OPEN || state == State.CLOSED) {
                return;
            }
            state = State.OPEN;
            everOpened = true;
            closeReason = null;
            toSend = queue.takeAll();
        }
        // On the I/O thread: these go out before anything another thread sends from now on.
        ReadyQueue.sendAll(toSend, l.sink);
        listener.opened();
    }

    /**
     * The connection {@code l} ended, or a connection attempt failed
     * ({@code l} null). Calls sent on it fail; unless the session will
     * reconnect, queued calls fail too and the session is closed.
     *
     * @return whether the owner should try to connect again
     */
    public boolean connectionLost(Link l, Throwable reason) {
        reason = plain(reason);
        if (l != null) {
            l.dropHeld();
            l.running.lost();
        }
        boolean wasOpen;
        boolean retry;
        ArrayDeque<PendingCall> dropped = null;
        synchronized (lock) {
            if (state == State.CLOSED || l != link) {
                return false;
            }
            link = null;
            wasOpen = state == State.OPEN;
            // a presumed refusal (a hang-up after our answer, all a Python server can say) may be a restart
            retry = reconnects && (!(reason instanceof AuthenticationException)
                    || reason instanceof PresumedAuthenticationException);
            closeReason = reason;
            if (retry) {
                // before the first open, calls wait in the queue; after it, they fail until reconnected
                state = everOpened ? State.DISCONNECTED : State.CONNECTING;
            } else {
                state = State.CLOSED;
                dropped = queue.takeAll();
            }
        }
        if (retry && reason instanceof PresumedAuthenticationException) {
            RETRYING.log("{}; trying again", reason.getMessage());
        }
        outgoing.failPending(reason, !retry);
        if (dropped != null) {
            ReadyQueue.releaseAll(dropped);
        }
        if (wasOpen || !retry) {
            listener.closed(reason);
        }
        return retry;
    }

    /**
     * An I/O error as the JDK would name it: Netty's native transport reports
     * its own subclasses ({@code Errors$NativeIoException: recvAddress(..)
     * failed: Connection reset by peer}), which users should not have to know.
     */
    static Throwable plain(Throwable reason) {
        if (reason instanceof IOException && reason.getClass().getName().startsWith("io.netty.")
                && !(reason instanceof ConnectException)) {
            String message = String.valueOf(reason.getMessage());
            int failed = message.indexOf(" failed: ");
            IOException plain = new IOException(failed >= 0 ? message.substring(failed + 9) : message);
            plain.initCause(reason);
            return plain;
        }
        return reason;
    }

    /** Closes for good: the connection, if any, and every call in flight or queued. */
    public void close(Throwable reason) {
        Link l;
        ArrayDeque<PendingCall> dropped;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            closed = true;
            closeReason = reason;
            l = link;
            link = null;
            dropped = queue.takeAll();
        }
        outgoing.failPending(reason, true);
        ReadyQueue.releaseAll(dropped);
        if (l != null) {
            l.sink.close();
        }
        listener.closed(reason);
    }

    // ---- incoming packets -------------------------------------------------------------------------------

    /** A packet arrived on {@code l} after the handshake. Runs on its I/O thread; releases the payload. */
    public void packet(Link l, Packet p) {
        try {
            if (closed || !l.sink.isActive()) {
                // frames still in the buffer of a connection that is closing: nobody could read their answers
                return;
            }
            switch (PacketType.of(p.type())) {
                case CALL, CALH -> {
                    if (l.held) { // kept for the hold's end: this packet's payload is released then
                        l.hold(new Packet(p.seq(), p.type(), p.payload().retain()));
                    } else {
                        incoming.call(l.sink, l.running, p.seq(), p.payload(), p.type() == Packet.CALH);
                    }
                }
                case RETN, EXCP -> {
                    // the callbacks of the answers this read brings go to the executor together, after it
                    IoThreads.holdUntilDone(l.sink.loop());
                    outgoing.onAnswer(l.sink, p.seq(), p.type() == Packet.EXCP, p.payload());
                }
                case CNCL -> {
                    if (!l.cancelHeld(p.seq())) {
                        l.running.cancel(p.seq());
                    }
                }
                default -> UNKNOWN_PACKET.log("ignoring {} packet from {} (seq {}): not a call or an answer",
                        Packet.typeName(p.type()), l.sink.peer(), Integer.toUnsignedString(p.seq()));
            }
        } finally {
            p.payload().release();
        }
    }

    /** The call table, for tests that reach into it. */
    Map<Integer, PendingCall> pending() {
        return outgoing.pending();
    }
}
