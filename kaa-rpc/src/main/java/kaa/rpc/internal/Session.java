package kaa.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import java.lang.reflect.Type;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.AuthenticationException;
import kaa.rpc.NotConnectedException;
import kaa.rpc.RemoteException;

/**
 * The engine of one {@code kaa.rpc.Channel}: its calls in flight, the queue of
 * calls made before it opened, and the dispatch of the peer's calls to exposed
 * methods. A client's session outlives its connections when it reconnects.
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

    // lines a peer can cause: counted, at most one a second per kind, no stack traces (PeerLog)
    private static final PeerLog RETRYING = PeerLog.warn(Session.class, "retrying after a failed handshake");
    private static final PeerLog UNKNOWN_PACKET = PeerLog.warn(Session.class, "unknown packet type");
    private static final PeerLog LATE_ANSWER = PeerLog.debug(Session.class, "answer to no call");
    private static final PeerLog METHOD_THREW = PeerLog.debug(Session.class, "exposed method threw");
    private static final PeerLog UNSENDABLE = PeerLog.warn(Session.class, "answer cannot be sent");

    private final Object owner;
    private final Commands commands;
    private final Executor executor;
    private final Listener listener;
    private final boolean reconnects;
    private final int maxConcurrentCalls;
    private final PythonObjects pythonObjects;
    private final boolean directDispatch;
    /** Whether each call records where it was made, for a RemoteException to show (PeerBuilder.callSites). */
    private final boolean callSites;
    /** The largest payload we accept, and so send: a peer with the same limit would close on a larger one. */
    private final long maxFrameSize;
    private final DecimalLimits decimalLimits;
    /** The peer's calls on one connection: see {@link Incoming}. */
    private static final io.netty.util.AttributeKey<Incoming> INCOMING = io.netty.util.AttributeKey.valueOf("kaa.incoming");

    private static Incoming incoming(Channel ch) {
        return ch.attr(INCOMING).get();
    }

    private final ConcurrentHashMap<Integer, PendingCall> pending = new ConcurrentHashMap<>();
    private final AtomicInteger lastSeq = new AtomicInteger();

    private final Object lock = new Object();
    private State state = State.CONNECTING;
    private Channel channel;
    private ArrayDeque<PendingCall> queued = new ArrayDeque<>();
    /** The bytes of the calls in {@link #queued}: bounded, as a server that stays down must not make us grow. */
    private long queuedBytes;
    private Throwable closeReason;
    private boolean everOpened;
    /** Set by {@link #close}, read without the lock by the I/O thread: no packet is dispatched after it. */
    private volatile boolean closed;
    /** The current connection's peer is this library: pickles may use shortcuts Python lacks. */
    private volatile boolean javaPeer;

    /**
     * @param owner the public channel, passed to {@code addClient} methods
     * @param reconnects whether a lost connection is followed by another (a client with retry)
     */
    public Session(Object owner, Commands commands, Executor executor, Listener listener, boolean reconnects,
            int maxConcurrentCalls, PythonObjects pythonObjects, boolean directDispatch, boolean callSites,
            long maxFrameSize, DecimalLimits decimalLimits) {
        this.callSites = callSites;
        this.decimalLimits = decimalLimits;
        this.maxFrameSize = maxFrameSize;
        this.maxConcurrentCalls = maxConcurrentCalls;
        this.pythonObjects = pythonObjects;
        this.directDispatch = directDispatch;
        this.owner = owner;
        this.commands = commands;
        this.executor = executor;
        this.listener = listener;
        this.reconnects = reconnects;
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
        Channel ch;
        synchronized (lock) {
            ch = channel;
        }
        return ch == null ? null : IoTransport.get().standard(ch.remoteAddress());
    }

    // ---- outgoing calls ---------------------------------------------------------------------------------

    /**
     * Sends a call; the future completes with the answer converted to
     * {@code resultType}, or fails with a {@link TimeoutException} when
     * {@code timeout} (if not null) passes first. Cancelling the future forgets
     * the call: a late answer is dropped.
     */
    public <T> RpcFuture<T> call(String command, Object[] args, Map<String, ?> kwargs, Type resultType,
            Duration timeout) {
        RpcFuture<T> future = new RpcFuture<>(executor);
        int seq = nextSeq();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(Pickling.sizeHint(args));
        try {
            Packet.writeHeader(buf, seq, Packet.CALL, 0);
            Pickling.writeCall(buf, command, args, kwargs, javaPeer, pythonObjects);
            Packet.patchLength(buf, 0);
            checkSize(buf);
        } catch (RuntimeException | StackOverflowError e) {
            buf.release();
            future.completeExceptionally(new IllegalArgumentException("cannot send call '" + command + "': "
                    + e.getMessage(), e));
            return future;
        }
        PendingCall call = new PendingCall(command, resultType, future, buf);
        if (callSites) {
            call.site = new Exception("call '" + command + "' was made here");
        }
        pending.put(seq, call);
        // however the future is settled (answer, time-out, or the caller's own cancel, complete or
        // orTimeout), the call is forgotten: no entry, timer or queued buffer is left behind
        future.onSettled(() -> forget(seq, call));
        Channel ch = null;
        boolean queueFull = false;
        synchronized (lock) {
            if (state == State.OPEN) {
                ch = channel; // marked sent only once in the outbox: a refusal below must not send a CNCL
            } else if (state == State.CONNECTING) {
                queueFull = !queued.isEmpty() && queuedBytes + buf.readableBytes() > Options.OUTBOUND_HIGH_WATER;
                if (!queueFull) {
                    queued.add(call);
                    call.queuedSize = buf.readableBytes();
                    queuedBytes += call.queuedSize;
                    call.queued = true;
                }
            }
        }
        if (call.queued) {
            armTimer(seq, call, timeout);
            return future;
        }
        if (queueFull) {
            call.releaseBuffer(); // never queued nor sent: still ours
            future.completeExceptionally(new RejectedExecutionException("call '" + command + "' refused: more than "
                    + (Options.OUTBOUND_HIGH_WATER >> 20) + " MiB of calls already wait for the connection to open"));
            return future;
        }
        if (ch != null && !ch.isActive()) { // closing: the session hears of it in a moment
            call.releaseBuffer();
            future.completeExceptionally(new NotConnectedException("cannot call '" + command + "': the connection "
                    + "to " + Address.format(IoTransport.get().standard(ch.remoteAddress())) + " is closing"));
            return future;
        }
        if (ch == null) { // disconnected or closed
            call.releaseBuffer();
            future.completeExceptionally(notConnected("cannot call '" + command + "'"));
            return future;
        }
        Outbox outbox = Outbox.of(ch);
        String refused = !ch.isWritable() || outbox.queuedBytes() > Options.OUTBOUND_HIGH_WATER
                ? "more than " + (Options.OUTBOUND_HIGH_WATER >> 20) + " MiB wait to be sent to a peer that is not reading"
                : !outbox.admits(buf.readableBytes()) ? "what all connections hold unsent fills the send budget ("
                        + outbox.budget().limit() + " bytes), and this peer's connection holds the most" : null;
        if (refused != null) { // refuse rather than grow
            call.releaseBuffer();
            future.completeExceptionally(new RejectedExecutionException("call '" + command + "' refused: " + refused));
            return future;
        }
        armTimer(seq, call, timeout);
        call.send(outbox);
        return future;
    }

    /**
     * Starts the call's time-out, once it is queued or about to be sent (a
     * time-out that fired before would forget a call that is then sent all the same).
     */
    private void armTimer(int seq, PendingCall call, Duration timeout) {
        if (timeout == null) {
            return;
        }
        call.timer = EventLoops.group().schedule(() -> {
            if (forget(seq, call)) {
                call.future.completeExceptionally(new TimeoutException("call '" + call.command
                        + "' got no answer within " + describe(timeout) + " (it may still run on the peer)"));
            }
        }, Options.nanos(timeout), TimeUnit.NANOSECONDS);
        if (pending.get(seq) != call) {
            call.cancelTimer(); // answered or forgotten meanwhile
        }
    }

    /** Drops a call that is still pending (and still queued, if it is). Returns whether it was pending. */
    private boolean forget(int seq, PendingCall call) {
        if (!pending.remove(seq, call)) {
            return false;
        }
        boolean wasQueued;
        synchronized (lock) {
            wasQueued = queued.remove(call);
            if (wasQueued) {
                queuedBytes -= call.queuedSize;
            }
        }
        if (wasQueued) {
            call.releaseBuffer();
        } else if (call.forget() && javaPeer) {
            sendCancel(seq); // after the CALL: it was in the outbox before forget() could see it sent
        }
        call.cancelTimer();
        return true;
    }

    /** Tells a Java peer that call {@code seq} is no longer wanted: its callee is cancelled or interrupted. */
    private void sendCancel(int seq) {
        Channel ch;
        synchronized (lock) {
            ch = state == State.OPEN ? channel : null;
        }
        if (ch != null && ch.isActive()) {
            ByteBuf buf = ch.alloc().buffer(Packet.HEADER_SIZE);
            Packet.writeHeader(buf, seq, Packet.CNCL, 0);
            Outbox.of(ch).send(buf);
        }
    }

    private static String describe(Duration d) {
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

    private NotConnectedException notConnected(String what) {
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

    // ---- connection life cycle (called by the transport) -------------------------------------------------

    /** Whether the current connection is not being read (its peer's calls fill their slots, or answers pile up). */
    public boolean isReadingPaused() {
        Channel ch;
        synchronized (lock) {
            ch = channel;
        }
        return ch != null && ch.isActive() && !ch.config().isAutoRead(); // a test's view: autoRead is ReadGate's
    }

    /** What waits to be sent on the current connection: in its outbox, and in Netty's buffer. */
    public long unsentBytes() {
        Channel ch;
        synchronized (lock) {
            ch = channel;
        }
        return ch == null ? 0 : Outbox.of(ch).unsentBytes();
    }

    /** The calls waiting for their answers (or queued before open): what the call table holds. */
    public int callsInFlight() {
        return pending.size();
    }

    /** Whether {@code ch} is this session's connection now (it was attached, and not lost since). */
    public boolean isCurrent(Channel ch) {
        synchronized (lock) {
            return ch != null && ch == channel;
        }
    }

    /** A new connection for this session; its handshake is starting. */
    public void attach(Channel ch, CallSource source) {
        ch.attr(INCOMING).set(new Incoming(source));
        boolean refuse;
        synchronized (lock) {
            refuse = state == State.CLOSED;
            if (!refuse) {
                channel = ch;
                // a reconnect attempt in its handshake is not open yet: calls still fail at once (DISCONNECTED);
                // only before the first open do they wait in the queue
                state = everOpened ? State.DISCONNECTED : State.CONNECTING;
                javaPeer = false; // until this connection's handshake says otherwise
            }
        }
        if (refuse) {
            ch.close();
        }
    }

    /** The handshake on {@code ch} succeeded. Runs on its I/O thread. */
    void opened(Channel ch, boolean javaPeer) {
        ArrayDeque<PendingCall> toSend;
        synchronized (lock) {
            if (ch != channel || state == State.OPEN || state == State.CLOSED) {
                return;
            }
            this.javaPeer = javaPeer;
            state = State.OPEN;
            everOpened = true;
            closeReason = null;
            toSend = queued;
            queued = new ArrayDeque<>();
            queuedBytes = 0;
            for (PendingCall c : toSend) {
                c.queued = false;
            }
        }
        // On the I/O thread: these go out before anything another thread writes from now on.
        for (PendingCall c : toSend) {
            ByteBuf b = c.sendQueued();
            if (b != null) {
                ch.write(b, ch.voidPromise());
            }
        }
        ch.flush();
        Outbox.of(ch).recount();
        listener.opened();
    }

    /**
     * The connection {@code ch} ended, or a connection attempt failed
     * ({@code ch} null). Calls sent on it fail; unless the session will
     * reconnect, queued calls fail too and the session is closed.
     *
     * @return whether the owner should try to connect again
     */
    public boolean connectionLost(Channel ch, Throwable reason) {
        reason = plain(reason);
        if (ch != null && incoming(ch) != null) {
            incoming(ch).lost(ch);
        }
        boolean wasOpen;
        boolean retry;
        ArrayDeque<PendingCall> dropped = null;
        synchronized (lock) {
            if (state == State.CLOSED || ch != channel) {
                return false;
            }
            channel = null;
            wasOpen = state == State.OPEN;
            // a presumed refusal (a hang-up after our answer, all a Python server can say) may be a restart
            retry = reconnects && (!(reason instanceof AuthenticationException)
                    || reason instanceof HandshakeHandler.PresumedAuthenticationException);
            closeReason = reason;
            if (retry) {
                // before the first open, calls wait in the queue; after it, they fail until reconnected
                state = everOpened ? State.DISCONNECTED : State.CONNECTING;
            } else {
                state = State.CLOSED;
                dropped = queued;
                queued = new ArrayDeque<>();
                queuedBytes = 0;
            }
        }
        if (retry && reason instanceof HandshakeHandler.PresumedAuthenticationException) {
            RETRYING.log("{}; trying again", reason.getMessage());
        }
        failPending(reason, !retry);
        if (dropped != null) {
            dropped.forEach(PendingCall::releaseBuffer);
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
        if (reason instanceof java.io.IOException && reason.getClass().getName().startsWith("io.netty.")
                && !(reason instanceof java.net.ConnectException)) {
            String message = String.valueOf(reason.getMessage());
            int failed = message.indexOf(" failed: ");
            java.io.IOException plain = new java.io.IOException(failed >= 0 ? message.substring(failed + 9) : message);
            plain.initCause(reason);
            return plain;
        }
        return reason;
    }

    /** Closes for good: the connection, if any, and every call in flight or queued. */
    public void close(Throwable reason) {
        Channel ch;
        ArrayDeque<PendingCall> dropped;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            closed = true;
            closeReason = reason;
            ch = channel;
            channel = null;
            dropped = queued;
            queued = new ArrayDeque<>();
            queuedBytes = 0;
        }
        failPending(reason, true);
        dropped.forEach(PendingCall::releaseBuffer);
        if (ch != null) {
            ch.close();
        }
        listener.closed(reason);
    }

    private void failPending(Throwable reason, boolean all) {
        for (Map.Entry<Integer, PendingCall> e : pending.entrySet()) {
            PendingCall c = e.getValue();
            // a call not queued was sent, or is being sent, on the lost connection
            if ((all || !c.queued) && pending.remove(e.getKey(), c)) {
                c.cancelTimer();
                c.future.completeExceptionally(new NotConnectedException("call '" + c.command
                        + "' failed: connection closed (" + reason.getMessage() + ")", reason));
            }
        }
    }

    // ---- incoming packets -------------------------------------------------------------------------------

    /** A packet arrived on {@code ch} after the handshake. Runs on its I/O thread; releases the payload. */
    void packet(Channel ch, Packet p) {
        try {
            if (closed || !ch.isActive()) {
                // frames still in the buffer of a connection that is closing: nobody could read their answers
                return;
            }
            int type = p.type();
            if (type == Packet.CALL) {
                incomingCall(ch, p.seq(), p.payload());
            } else if (type == Packet.RETN || type == Packet.EXCP) {
                answer(ch, p.seq(), type == Packet.EXCP, p.payload());
            } else if (type == Packet.CNCL) {
                Running r = incoming(ch).handles.get(p.seq());
                if (r != null) {
                    r.cancel();
                }
            } else {
                UNKNOWN_PACKET.log("ignoring {} packet from {} (seq {}): not a call or an answer", Packet.typeName(type),
                        HandshakeHandler.peer(ch), Integer.toUnsignedString(p.seq()));
            }
        } finally {
            p.payload().release();
        }
    }

    private void answer(Channel ch, int seq, boolean error, ByteBuf payload) {
        PendingCall call = pending.remove(seq);
        if (call == null) {
            LATE_ANSWER.log("dropping answer to unknown or forgotten call seq {}", Integer.toUnsignedString(seq));
            return;
        }
        call.cancelTimer();
        Object value;
        int size = payload.readableBytes();
        try {
            value = Unpickling.load(payload, Work.forPayload(size), decimalLimits);
        } catch (MalformedPickleException e) {
            call.future.completeExceptionally(new ProtocolException((e.getCause() instanceof WorkLimitException
                    ? "refused the " : "malformed ") + (error ? "EXCP" : "RETN") + " payload answering '"
                    + call.command + "': " + e.getMessage()));
            return;
        }
        if (error) {
            try {
                RemoteException e = RemoteErrors.fromPayload(call.command, HandshakeHandler.peer(ch), value);
                if (call.site != null) {
                    e.addSuppressed(call.site);
                }
                call.future.completeExceptionally(e);
            } catch (RuntimeException e) { // a shape no peer sends: only this call fails
                call.future.completeExceptionally(new ProtocolException("malformed EXCP payload answering '"
                        + call.command + "': " + e));
            }
        } else if (Values.isPlain(call.resultType)) {
            call.complete(value, size);
        } else {
            // converting to a record or bean runs user constructors: not on the I/O thread, but on a caller
            // waiting for it, or else the executor (see RpcFuture)
            call.future.completeByConversion(() -> call.complete(value, size));
        }
    }

    private void incomingCall(Channel ch, int seq, ByteBuf payload) {
        Object decoded;
        int size = payload.readableBytes();
        try {
            decoded = Unpickling.load(payload, Work.forPayload(size), decimalLimits);
        } catch (MalformedPickleException e) {
            reply(ch, seq, "?", RemoteErrors.payload("ValueError", (e.getCause() instanceof WorkLimitException
                    ? "CALL payload refused: " : "malformed CALL payload: ") + e.getMessage()), true);
            return;
        }
        Object[] call = decoded instanceof Object[] ? (Object[]) decoded : null;
        if (call == null || call.length != 3 || !(call[0] instanceof String)
                || !(call[1] instanceof Object[] || call[1] instanceof List) || !(call[2] instanceof Map)) {
            reply(ch, seq, "?", RemoteErrors.payload("TypeError", "malformed CALL: expected (command, args, kwargs),"
                    + " got " + Values.describeValue(decoded)), true);
            return;
        }
        String command = (String) call[0];
        Object[] args = call[1] instanceof Object[] ? (Object[]) call[1] : ((List<?>) call[1]).toArray();
        Map<String, Object> kwargs;
        try {
            kwargs = Values.stringKeys((Map<?, ?>) call[2]);
        } catch (ConversionException e) {
            reply(ch, seq, command, RemoteErrors.payload("TypeError", command + "(): " + e.getMessage()), true);
            return;
        }
        ExposedMethod[] overloads = commands.lookup(command);
        if (overloads == null) {
            // the original answers KeyError(command); a name this long is no command, and is not sent back whole
            String key = Values.truncate(command, 200);
            reply(ch, seq, key, new Object[] {new PyObject("exceptions", "KeyError", new Object[] {key}),
                List.of()}, true);
            return;
        }
        ExposedMethod method;
        try {
            method = Commands.select(command, overloads, args.length, kwargs.size());
        } catch (ExposedMethod.BindingException e) {
            reply(ch, seq, command, RemoteErrors.payload("TypeError", e.getMessage()), true);
            return;
        }
        Incoming in = incoming(ch);
        if (in.running.incrementAndGet() + in.source.orphans() >= maxConcurrentCalls) {
            updateReading(ch);
        }
        // a handle on the call, so that a cancel (a Java caller's CNCL) or the loss of the connection reaches it.
        // A direct call runs here, where neither can be read before it returns: it needs one only if it returns a
        // future.
        boolean direct = directDispatch || method.isDirect();
        Running r = direct ? null : new Running(method.isInterruptible());
        if (r != null) {
            in.handles.put(seq, r);
        }
        if (direct) {
            invoke(ch, seq, command, method, args, kwargs, size, r); // here, on the I/O thread: no hand-off
            return;
        }
        try {
            executor.execute(() -> invoke(ch, seq, command, method, args, kwargs, size, r));
        } catch (RejectedExecutionException e) {
            done(ch, seq, r);
            reply(ch, seq, command, RemoteErrors.payload("RuntimeError", command + "(): rejected, the callee's "
                    + "executor is not accepting work"), true);
        }
    }

    /** Whether as many of the peer's calls run on {@code ch} as allowed: no further frame is handed on. */
    boolean busy(Channel ch) {
        Incoming in = incoming(ch);
        return in.running.get() + in.source.orphans() >= maxConcurrentCalls;
    }

    /** Whether our answers to {@code ch}'s peer pile up unread: no further frame is handed on either. */
    static boolean peerNotReading(Channel ch) {
        return !ch.isWritable() || Outbox.of(ch).queuedBytes() > Options.OUTBOUND_HIGH_WATER;
    }

    /** Pauses or resumes reading {@code ch} to match its calls and answers (see {@link ReadGate}). */
    void updateReading(Channel ch) {
        FrameDecoder.updateReading(ch);
    }

    private void invoke(Channel ch, int seq, String command, ExposedMethod method, Object[] args,
            Map<String, Object> kwargs, int payloadSize, Running r) {
        Object[] javaArgs;
        try {
            javaArgs = method.bind(owner, args, kwargs, Work.forPayload(payloadSize));
        } catch (ExposedMethod.BindingException e) {
            done(ch, seq, r);
            reply(ch, seq, command, RemoteErrors.payload("TypeError", e.getMessage()), true);
            return;
        } catch (WorkLimitException e) {
            done(ch, seq, r);
            reply(ch, seq, command, RemoteErrors.payload("ValueError", command + "(): arguments refused: "
                    + e.getMessage()), true);
            return;
        } catch (RuntimeException | StackOverflowError e) { // hostile nesting, or a bug: answer, never hang
            done(ch, seq, r);
            reply(ch, seq, command, RemoteErrors.payload("TypeError", command + "(): arguments cannot be bound ("
                    + Values.className(e.getClass(), false) + ")"), true);
            return;
        }
        if (r != null && !r.start(EventLoops.isIoThread() ? null : Thread.currentThread())) {
            done(ch, seq, r); // cancelled before it ran, or its connection is gone: nobody reads an answer
            return;
        }
        Object result;
        Throwable thrown = null;
        try {
            result = method.invoke(javaArgs);
        } catch (Throwable t) {
            result = null;
            thrown = t;
        } finally {
            if (r != null) {
                r.stop(); // first: no interrupt reaches what follows
            }
        }
        if (thrown != null) {
            METHOD_THREW.log("{} threw", method.describe(), thrown);
            done(ch, seq, r);
            if (r == null || !r.isCancelled()) { // a call let go gets no answer, an error neither
                reply(ch, seq, command, RemoteErrors.payload(thrown), true);
            }
            return;
        }
        if (result instanceof CompletionStage) {
            Running running = r;
            if (running == null) { // a direct call's future: it may be let go from now on
                running = new Running(method.isInterruptible());
                incoming(ch).handles.put(seq, running);
            }
            Running handle = running;
            handle.stage((CompletionStage<?>) result);
            ((CompletionStage<?>) result).whenComplete((value, error) -> {
                done(ch, seq, handle); // the work has ended: its slot is free
                if (handle.isCancelled()) {
                    return; // let go: nobody reads this answer
                }
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    reply(ch, seq, command, RemoteErrors.payload(cause), true);
                } else {
                    reply(ch, seq, command, value, false);
                }
            });
        } else {
            done(ch, seq, r);
            if (r == null || !r.isCancelled()) {
                reply(ch, seq, command, result, false);
            }
        }
    }

    /** The work of a call of the peer's has ended (it is answered, or about to be, or let go): its slot is free. */
    private void done(Channel ch, int seq, Running r) {
        Incoming in = incoming(ch);
        if (r != null) {
            in.handles.remove(seq, r);
        }
        int before = in.running.getAndDecrement();
        if (before >= Incoming.LOST) {
            in.source.orphanDone(); // a call that outlived its connection: the source's slot is free again
        } else if (before + in.source.orphans() >= maxConcurrentCalls) {
            updateReading(ch);
        }
    }

    /**
     * The peer's calls on one connection: how many run (they fill at most
     * {@code maxConcurrentCalls} slots, with the calls of the source's lost
     * connections that still run), and a handle on each.
     */
    private static final class Incoming {
        /** Added to {@link #running} when the connection is lost: later ends are the source's. */
        static final int LOST = 1 << 30;

        final AtomicInteger running = new AtomicInteger();
        final ConcurrentHashMap<Integer, Running> handles = new ConcurrentHashMap<>();
        final CallSource source;

        Incoming(CallSource source) {
            this.source = source;
        }

        /**
         * The connection is gone: the calls still running become the source's,
         * and each is let go (see {@link Running#cancel}). Once only.
         */
        void lost(Channel ch) {
            int now = running.get();
            while (now < LOST && !running.compareAndSet(now, now + LOST)) {
                now = running.get();
            }
            if (now >= LOST) {
                return;
            }
            source.lost(ch, now);
            handles.values().forEach(Running::cancel);
        }
    }

    /**
     * A call of the peer's, from its dispatch to the end of its work, so
     * that the caller's cancel (a Java peer's CNCL) or the loss of its
     * connection reaches it. Either lets the call go: nobody reads its answer
     * any more, so none is sent, and a call not started is skipped. The work
     * the method started is stopped only if the method asked for it
     * ({@code @Expose(interruptible = true)}): its thread is interrupted, or
     * the future it returned is cancelled. Without that, an interrupt would
     * close an interruptible channel the service may share with its other
     * callers, and a future it returned may be the service's own, shared
     * with other callers (a cache's). Either way the call holds its slot
     * until its work ends: that is when its thread and memory are free.
     * Never interrupts an I/O thread.
     */
    private final class Running {
        private final boolean interruptible;
        // guarded by this handle's monitor
        private Thread thread;
        private CompletionStage<?> stage;
        private boolean cancelled;
        private boolean interrupted;

        Running(boolean interruptible) {
            this.interruptible = interruptible;
        }

        /** The call starts on {@code t} (null for an I/O thread); false if it was let go already. */
        synchronized boolean start(Thread t) {
            thread = t;
            return !cancelled;
        }

        /** The method returned: no interrupt may reach this thread any more, and one that did is cleared. */
        synchronized void stop() {
            thread = null;
            if (interrupted) {
                interrupted = false;
                Thread.interrupted();
            }
        }

        synchronized boolean isCancelled() {
            return cancelled;
        }

        /** The method returned a future, which the call now waits for. */
        void stage(CompletionStage<?> s) {
            boolean cancelNow;
            synchronized (this) {
                stage = s;
                cancelNow = cancelled && interruptible;
            }
            if (cancelNow) {
                cancelStage(s);
            }
        }

        void cancel() {
            CompletionStage<?> s;
            synchronized (this) {
                cancelled = true;
                if (!interruptible) {
                    return;
                }
                if (thread != null) {
                    thread.interrupt();
                    interrupted = true;
                }
                s = stage;
            }
            if (s != null) {
                cancelStage(s);
            }
        }

        /** On the executor: cancelling runs the future's dependents, which may be user code. */
        private void cancelStage(CompletionStage<?> s) {
            try {
                executor.execute(() -> {
                    try {
                        s.toCompletableFuture().cancel(true);
                    } catch (UnsupportedOperationException notAFuture) {
                        // a stage that cannot be cancelled runs on; its answer is not sent
                    }
                });
            } catch (RuntimeException | Error rejected) {
                // the executor is shutting down, or no thread could be started: nothing to cancel on
            }
        }
    }

    /** Sends RETN (or EXCP) for call {@code seq}. A result that cannot be pickled is answered with a TypeError. */
    private void reply(Channel ch, int seq, String command, Object value, boolean error) {
        ByteBuf buf;
        try {
            buf = answer(ch, seq, value, error);
        } catch (RuntimeException | Error e) { // an Error too (a getter's, memory): the caller must hear
            if (error) {
                UNSENDABLE.log("cannot encode the error answering '{}'", command, e);
                sendPlainError(ch, seq, command + "() failed, and its error cannot be sent: "
                        + Values.className(e.getClass(), false));
                return;
            }
            UNSENDABLE.log("the result of '{}' cannot be sent", command, e);
            reply(ch, seq, command, RemoteErrors.payload("TypeError", "the result of " + command
                    + "() cannot be sent: " + (e instanceof IllegalArgumentException ? e.getMessage()
                            : Values.className(e.getClass(), true) + ": " + e.getMessage())), true);
            return;
        }
        Outbox out = Outbox.of(ch);
        if (!out.admits(buf.readableBytes())) { // this connection holds the most unsent of all: it gives way
            buf.release();
            out.evict(out.budget().held(), out.budget().limit());
            return;
        }
        out.send(buf);
    }

    /** The last resort of {@link #reply}: a RuntimeError with a short text, so that the caller is not left waiting. */
    private void sendPlainError(Channel ch, int seq, String message) {
        ByteBuf buf;
        try {
            buf = answer(ch, seq, RemoteErrors.payload("RuntimeError", message), true);
        } catch (RuntimeException | Error e) {
            UNSENDABLE.log("cannot answer call {} at all", Integer.toUnsignedString(seq), e);
            return;
        }
        Outbox.of(ch).send(buf);
    }

    /** The frame of a RETN (or EXCP) for call {@code seq}; on failure nothing is left allocated. */
    private ByteBuf answer(Channel ch, int seq, Object value, boolean error) {
        ByteBuf buf = ch.alloc().buffer(Pickling.sizeHint(value));
        try {
            Packet.writeHeader(buf, seq, error ? Packet.EXCP : Packet.RETN, 0);
            Pickling.write(buf, value, javaPeer, pythonObjects);
            Packet.patchLength(buf, 0);
            checkSize(buf);
            return buf;
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /**
     * Refuses a frame larger than this channel accepts: a peer with the same
     * limit would close the connection on it, and the sender would only see
     * the connection closed.
     */
    private void checkSize(ByteBuf frame) {
        long payload = frame.readableBytes() - Packet.HEADER_SIZE;
        if (payload > maxFrameSize) {
            throw new IllegalArgumentException("it is " + payload + " bytes, over the frame limit of " + maxFrameSize
                    + " bytes (maxFrameSize; a peer with the same limit would close the connection)");
        }
    }

    /** A call waiting for its answer. */
    private static final class PendingCall {
        final String command;
        final Type resultType;
        final RpcFuture<Object> future;
        private ByteBuf buffer;
        /** Handed to the connection (guarded by this call's monitor, which orders its CALL before any CNCL). */
        private boolean sent;
        /** Settled before it was handed over: it is never sent (guarded by this call's monitor). */
        private boolean forgotten;
        /** In the queue of calls made before open (written under the session's lock), and its size there. */
        volatile boolean queued;
        int queuedSize;
        volatile java.util.concurrent.Future<?> timer;
        /** Where the call was made, when call sites are recorded. */
        Exception site;

        @SuppressWarnings("unchecked")
        PendingCall(String command, Type resultType, RpcFuture<?> future, ByteBuf buffer) {
            this.command = command;
            this.resultType = resultType;
            this.future = (RpcFuture<Object>) future;
            this.buffer = buffer;
        }

        /** Hands the call to the connection, unless it was forgotten meanwhile. */
        synchronized void send(Outbox outbox) {
            if (forgotten) {
                releaseBuffer();
                return;
            }
            outbox.send(takeBuffer());
            sent = true;
        }

        /** Written by {@link Session#opened}, on the I/O thread, which sends it before any later CNCL. */
        synchronized ByteBuf sendQueued() {
            if (forgotten) { // settled after open took the queue: never sent, so no cancel either
                releaseBuffer();
                return null;
            }
            sent = true;
            return takeBuffer();
        }

        /** The call is no longer wanted. Returns whether it had been sent (so the peer should hear a cancel). */
        synchronized boolean forget() {
            forgotten = true;
            return sent;
        }

        void cancelTimer() {
            java.util.concurrent.Future<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }

        ByteBuf takeBuffer() {
            ByteBuf b = buffer;
            buffer = null;
            return b;
        }

        void releaseBuffer() {
            ByteBuf b = takeBuffer();
            if (b != null) {
                b.release();
            }
        }

        /** Completes with the answer, converted; {@code payloadSize} bounds the work of converting it. */
        void complete(Object value, int payloadSize) {
            try {
                // a Java caller reads the message: Java's names for what arrived
                Values.Conversion conversion = Values.conversion(Work.forPayload(payloadSize)).javaWording();
                future.complete(conversion.convert(value, resultType));
            } catch (ConversionException e) {
                future.completeExceptionally(new ClassCastException("the result of '" + command
                        + "' does not convert to " + Values.javaName(resultType) + ": " + e.getMessage()));
            } catch (WorkLimitException e) {
                future.completeExceptionally(new ProtocolException("refused the answer to '" + command + "': "
                        + e.getMessage()));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }
    }
}
