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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(Session.class);

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
    /**
     * The peer's calls running now, counted per connection: a call of a
     * connection that is gone must not count against (or free up) the next.
     */
    private static final io.netty.util.AttributeKey<AtomicInteger> RUNNING =
            io.netty.util.AttributeKey.valueOf("kaa.running");

    /** The count of {@code ch}, made when it was attached. */
    private static AtomicInteger running(Channel ch) {
        return ch.attr(RUNNING).get();
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
                ch = channel;
                call.sent = true;
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
        if (ch != null && !ch.isActive()) {
            ch = null; // closing: the session hears of it in a moment
        }
        if (ch == null) { // disconnected or closed
            call.releaseBuffer();
            future.completeExceptionally(notConnected("cannot call '" + command + "'"));
            return future;
        }
        Outbox outbox = Outbox.of(ch);
        if (!ch.isWritable() || outbox.queuedBytes() > Options.OUTBOUND_HIGH_WATER) {
            // the peer is not reading what we send: refuse rather than grow
            call.releaseBuffer();
            future.completeExceptionally(new RejectedExecutionException("call '" + command + "' refused: more than "
                    + (Options.OUTBOUND_HIGH_WATER >> 20) + " MiB wait to be sent to a peer that is not reading"));
            return future;
        }
        armTimer(seq, call, timeout);
        outbox.send(call.takeBuffer());
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
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
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
        } else if (call.sent && javaPeer) {
            sendCancel(seq);
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
        return ch != null && ch.isActive() && !ch.config().isAutoRead();
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
    public void attach(Channel ch) {
        ch.attr(RUNNING).set(new AtomicInteger());
        ch.attr(RUNNING_CALLS).set(new ConcurrentHashMap<>());
        boolean refuse;
        synchronized (lock) {
            refuse = state == State.CLOSED;
            if (!refuse) {
                channel = ch;
                state = State.CONNECTING;
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
            if (ch != channel || state != State.CONNECTING) {
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
                c.sent = true;
            }
        }
        // On the I/O thread: these go out before anything another thread writes from now on.
        for (PendingCall c : toSend) {
            ch.write(c.takeBuffer(), ch.voidPromise());
        }
        ch.flush();
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
            log.warn("{}; trying again", reason.getMessage());
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
            if ((all || c.sent) && pending.remove(e.getKey(), c)) {
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
            int type = p.type();
            if (type == Packet.CALL) {
                incomingCall(ch, p.seq(), p.payload());
            } else if (type == Packet.RETN || type == Packet.EXCP) {
                answer(ch, p.seq(), type == Packet.EXCP, p.payload());
            } else if (type == Packet.CNCL) {
                Running r = runningCalls(ch).remove(p.seq());
                if (r != null) {
                    r.cancel();
                }
            } else {
                log.warn("ignoring {} packet from {} (seq {}): not a call or an answer", Packet.typeName(type),
                        HandshakeHandler.peer(ch), Integer.toUnsignedString(p.seq()));
            }
        } finally {
            p.payload().release();
        }
    }

    private void answer(Channel ch, int seq, boolean error, ByteBuf payload) {
        PendingCall call = pending.remove(seq);
        if (call == null) {
            log.debug("dropping answer to unknown or forgotten call seq {}", Integer.toUnsignedString(seq));
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
            // converting to a record or bean runs user constructors: not on the I/O thread
            try {
                executor.execute(() -> call.complete(value, size));
            } catch (RejectedExecutionException e) {
                call.future.completeExceptionally(e);
            }
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
        if (running(ch).incrementAndGet() >= maxConcurrentCalls || !ch.isWritable()) {
            updateReading(ch);
        }
        // a Java caller may cancel: keep a handle on the call (a Python caller never does). A direct call runs
        // here, where no cancel can be read before it returns: it needs one only if it returns a future.
        boolean direct = directDispatch || method.isDirect();
        Running r = javaPeer && !direct ? new Running() : null;
        if (r != null) {
            runningCalls(ch).put(seq, r);
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

    /**
     * Whether {@code ch} must take no more calls for now: as many of its
     * peer's calls as allowed are running, or our answers to it pile up
     * unread. The frame decoder then hands on nothing more and reading stops.
     */
    boolean saturated(Channel ch) {
        return running(ch).get() >= maxConcurrentCalls || !ch.isWritable()
                || Outbox.of(ch).queuedBytes() > Options.OUTBOUND_HIGH_WATER;
    }

    /**
     * Reads from {@code ch} while it is not {@link #saturated}; when it stops
     * being so, frames that were read meanwhile are decoded first.
     */
    void updateReading(Channel ch) {
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(() -> updateReading(ch));
            return;
        }
        FrameDecoder frames = ch.pipeline().get(FrameDecoder.class);
        boolean read = !saturated(ch) && (frames == null || !frames.waitingForBudget());
        if (ch.config().isAutoRead() != read) {
            if (read) {
                ch.config().setAutoRead(true);
                if (frames != null) {
                    frames.resume(); // decode what waits
                }
            } else {
                log.debug("pausing reads from {}: {} calls running, writable {}", HandshakeHandler.peer(ch),
                        running(ch).get(), ch.isWritable());
                ch.config().setAutoRead(false);
            }
        }
    }

    /** A call of the peer has been answered (or dropped). */
    private void finished(Channel ch) {
        if (running(ch).getAndDecrement() == maxConcurrentCalls) {
            updateReading(ch);
        }
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
            done(ch, seq, r); // the caller cancelled before it ran; nobody reads the answer
            reply(ch, seq, command, RemoteErrors.payload("RuntimeError", command + "(): cancelled by the caller"),
                    true);
            return;
        }
        Object result;
        try {
            result = method.invoke(javaArgs);
        } catch (Throwable t) {
            log.debug("{} threw", method.describe(), t);
            done(ch, seq, r);
            reply(ch, seq, command, RemoteErrors.payload(t), true);
            return;
        } finally {
            if (r != null) {
                r.stop();
            }
        }
        if (result instanceof CompletionStage) {
            Running running = r;
            if (running == null && javaPeer) { // a direct call's future: cancellable from now on
                running = new Running();
                runningCalls(ch).put(seq, running);
            }
            if (running != null) {
                running.stage((CompletionStage<?>) result);
            }
            Running handle = running;
            ((CompletionStage<?>) result).whenComplete((value, error) -> {
                done(ch, seq, handle);
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
            reply(ch, seq, command, result, false);
        }
    }

    /** A call of the peer's ended (answered or about to be). */
    private void done(Channel ch, int seq, Running r) {
        finished(ch);
        if (r != null) {
            runningCalls(ch).remove(seq, r);
        }
    }

    /**
     * A call of a Java peer while it runs, so that the peer's cancel (a CNCL
     * packet) can reach it: the thread running it is interrupted, and a
     * future it returned is cancelled. Never an I/O thread: a call run there
     * ({@code direct}) is only ever cancelled through its future.
     */
    private final class Running {
        private Thread thread;
        private CompletionStage<?> stage;
        private boolean cancelled;
        private boolean interrupted;

        /** The call starts on {@code t} (null for an I/O thread); false if it was cancelled already. */
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

        void stage(CompletionStage<?> s) {
            boolean cancelNow;
            synchronized (this) {
                stage = s;
                cancelNow = cancelled;
            }
            if (cancelNow) {
                cancelStage(s);
            }
        }

        void cancel() {
            CompletionStage<?> s;
            synchronized (this) {
                cancelled = true;
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
                        // a stage that cannot be cancelled runs on; its answer is dropped by the caller
                    }
                });
            } catch (RejectedExecutionException rejected) {
                // the executor is shutting down: nothing to cancel on
            }
        }
    }

    private static final io.netty.util.AttributeKey<ConcurrentHashMap<Integer, Running>> RUNNING_CALLS =
            io.netty.util.AttributeKey.valueOf("kaa.runningCalls");

    private static ConcurrentHashMap<Integer, Running> runningCalls(Channel ch) {
        return ch.attr(RUNNING_CALLS).get();
    }

    /** Sends RETN (or EXCP) for call {@code seq}. A result that cannot be pickled is answered with a TypeError. */
    private void reply(Channel ch, int seq, String command, Object value, boolean error) {
        ByteBuf buf;
        try {
            buf = answer(ch, seq, value, error);
        } catch (RuntimeException | Error e) { // an Error too (a getter's, memory): the caller must hear
            if (error) {
                log.error("cannot encode the error answering '{}'", command, e);
                sendPlainError(ch, seq, command + "() failed, and its error cannot be sent: "
                        + Values.className(e.getClass(), false));
                return;
            }
            log.warn("the result of '{}' cannot be sent", command, e);
            reply(ch, seq, command, RemoteErrors.payload("TypeError", "the result of " + command
                    + "() cannot be sent: " + (e instanceof IllegalArgumentException ? e.getMessage()
                            : Values.className(e.getClass(), true) + ": " + e.getMessage())), true);
            return;
        }
        Outbox.of(ch).send(buf);
    }

    /** The last resort of {@link #reply}: a RuntimeError with a short text, so that the caller is not left waiting. */
    private void sendPlainError(Channel ch, int seq, String message) {
        ByteBuf buf;
        try {
            buf = answer(ch, seq, RemoteErrors.payload("RuntimeError", message), true);
        } catch (RuntimeException | Error e) {
            log.error("cannot answer call {} at all", Integer.toUnsignedString(seq), e);
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
        volatile boolean sent;
        /** Put in the queue of calls made before open (under the session's lock), and its size there. */
        boolean queued;
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
