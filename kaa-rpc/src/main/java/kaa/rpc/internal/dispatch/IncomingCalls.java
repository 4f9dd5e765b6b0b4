package kaa.rpc.internal.dispatch;

import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import kaa.rpc.CallRefusedException;
import kaa.rpc.Channel;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.internal.convert.ConversionException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.exec.IoThreads;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.ReadControl;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.MalformedPickleException;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.RemoteErrors;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.WorkBudget;
import kaa.rpc.internal.value.WorkLimitException;

/**
 * The peer's calls to our exposed methods: decoding a CALL, finding its
 * method, binding its arguments, running it (on the I/O thread for a direct
 * method, else on the executor, by an {@link Invocation}) and answering it
 * ({@link Replies}). What runs on each connection is its
 * {@link RunningCalls}. Holds no lock of its own.
 */
public final class IncomingCalls {

    private static final PeerLog METHOD_THREW = PeerLog.debug(IncomingCalls.class, "exposed method threw");

    private final Object owner;
    private final CommandTable commands;
    private final Executor executor;
    private final int maxConcurrentCalls;
    private final boolean directDispatch;
    private final DecimalLimits decimalLimits;
    private final Replies replies;
    /** The interceptors around every call, or null if there are none. */
    private final IncomingChain chain;

    /**
     * @param owner the public channel, passed to {@code addClient} methods
     */
    public IncomingCalls(Object owner, CommandTable commands, Executor executor, int maxConcurrentCalls,
            boolean directDispatch, DecimalLimits decimalLimits, Replies replies) {
        this(owner, commands, executor, maxConcurrentCalls, directDispatch, decimalLimits, replies, List.of());
    }

    /** As above, with interceptors around every call (the first outermost). */
    public IncomingCalls(Object owner, CommandTable commands, Executor executor, int maxConcurrentCalls,
            boolean directDispatch, DecimalLimits decimalLimits, Replies replies,
            List<IncomingInterceptor> interceptors) {
        this.chain = interceptors.isEmpty() ? null : new IncomingChain(interceptors, commands);
        this.owner = owner;
        this.commands = commands;
        this.executor = executor;
        this.maxConcurrentCalls = maxConcurrentCalls;
        this.directDispatch = directDispatch;
        this.decimalLimits = decimalLimits;
        this.replies = replies;
    }

    /** What will run on a new connection, whose reading {@code reads} controls; its slots count in {@code source}. */
    public RunningCalls attach(CallSource source, ReadControl reads) {
        return new RunningCalls(source, reads, maxConcurrentCalls, executor);
    }

    /** A CALL arrived on {@code from}: dispatches it, or answers why not. On the I/O thread; the payload is the caller's. */
    public void call(FrameSink from, RunningCalls running, int seq, ByteBuf payload) {
        call(from, running, seq, payload, false);
    }

    /** A CALL, or a CALH ({@code withHeaders}): its payload has a fourth item, the headers. */
    public void call(FrameSink from, RunningCalls running, int seq, ByteBuf payload, boolean withHeaders) {
        Object decoded;
        int size = payload.readableBytes();
        try {
            decoded = PickleReader.load(payload, WorkBudget.forPayload(size), decimalLimits);
        } catch (MalformedPickleException e) {
            replies.reply(from, seq, "?", RemoteErrors.payload("ValueError", (e.getCause() instanceof WorkLimitException
                    ? "CALL payload refused: " : "malformed CALL payload: ") + e.getMessage()), true);
            return;
        }
        Object[] call = decoded instanceof Object[] ? (Object[]) decoded : null;
        if (call == null || call.length != (withHeaders ? 4 : 3) || !(call[0] instanceof String)
                || !(call[1] instanceof Object[] || call[1] instanceof List) || !(call[2] instanceof Map)
                || withHeaders && !(call[3] instanceof Map)) {
            replies.reply(from, seq, "?", RemoteErrors.payload("TypeError", withHeaders
                    ? "malformed CALH: expected (command, args, kwargs, headers), got " + Repr.describeValue(decoded)
                    : "malformed CALL: expected (command, args, kwargs), got " + Repr.describeValue(decoded)), true);
            return;
        }
        String command = (String) call[0];
        Object[] args = call[1] instanceof Object[] ? (Object[]) call[1] : ((List<?>) call[1]).toArray();
        Map<String, Object> kwargs;
        try {
            kwargs = Conversions.stringKeys((Map<?, ?>) call[2]);
        } catch (ConversionException e) {
            replies.reply(from, seq, command, RemoteErrors.payload("TypeError", command + "(): " + e.getMessage()), true);
            return;
        }
        Map<String, String> headers = Map.of();
        // headers come only from a peer that said in its handshake it is of this library: any other's are dropped
        if (withHeaders && from.dialect().readsHeaders()) {
            headers = headers((Map<?, ?>) call[3]);
            if (headers == null) {
                replies.reply(from, seq, command, RemoteErrors.payload("TypeError", "malformed CALH: its headers must "
                        + "be at most " + FrameLimits.MAX_HEADERS + " str names of at most " + FrameLimits.MAX_HEADER_NAME
                        + " characters to str values of at most " + FrameLimits.MAX_HEADER_VALUE), true);
                return;
            }
        }
        if (chain != null) {
            intercepted(from, running, seq, command, args, kwargs, headers, size);
            return;
        }
        ExposedMethod[] overloads = commands.lookup(command);
        if (overloads == null) {
            // the original answers KeyError(command); a name this long is no command, and is not sent back whole
            String key = Repr.truncate(command, 200);
            replies.reply(from, seq, key, new Object[] {new PyObject("exceptions", "KeyError", new Object[] {key}),
                List.of()}, true);
            return;
        }
        ExposedMethod method;
        try {
            method = CommandTable.select(command, overloads, args.length, kwargs.size());
        } catch (ExposedMethod.BindingException e) {
            replies.reply(from, seq, command, RemoteErrors.payload("TypeError", e.getMessage()), true);
            return;
        }
        running.started();
        // a handle on the call, so that a cancel (a Java caller's CNCL) or the loss of the connection reaches it.
        // A direct call runs here, where neither can be read before it returns: it needs one only if it returns a
        // future.
        boolean direct = directDispatch || method.isDirect();
        RunningCalls.Running r = direct ? null : running.track(seq, method.isInterruptible());
        if (direct) {
            invoke(from, running, seq, command, method, args, kwargs, size, r); // here, on the I/O thread: no hand-off
            return;
        }
        Invocation invocation = new Invocation(from, running, seq, command, method, args, kwargs, size, r);
        try {
            executor.execute(invocation);
        } catch (RejectedExecutionException e) {
            invocation.refused(e);
        }
    }

    /**
     * The hop from the I/O thread to the executor: one call of the peer's, to
     * run there; refused by the executor (now, or once handed on after the
     * read), it is answered with a RuntimeError.
     */
    private final class Invocation implements IoThreads.Refusable {
        private final FrameSink from;
        private final RunningCalls running;
        private final int seq;
        private final String command;
        private final ExposedMethod method;
        private final Object[] args;
        private final Map<String, Object> kwargs;
        private final int payloadSize;
        private final RunningCalls.Running handle;

        Invocation(FrameSink from, RunningCalls running, int seq, String command, ExposedMethod method,
                Object[] args, Map<String, Object> kwargs, int payloadSize, RunningCalls.Running handle) {
            this.from = from;
            this.running = running;
            this.seq = seq;
            this.command = command;
            this.method = method;
            this.args = args;
            this.kwargs = kwargs;
            this.payloadSize = payloadSize;
            this.handle = handle;
        }

        @Override
        public void run() {
            invoke(from, running, seq, command, method, args, kwargs, payloadSize, handle);
        }

        @Override
        public void refused(RuntimeException why) {
            boolean cancelled = handle != null && handle.isCancelled(); // its caller let it go: no answer
            running.done(seq, handle);
            if (!cancelled) {
                replies.reply(from, seq, command, RemoteErrors.payload("RuntimeError", command + "(): rejected, the "
                        + "callee's executor is not accepting work"), true);
            }
        }
    }

    /** The Java arguments of {@code method} for a call's; refused with the error the caller gets if they do not bind. */
    private Object[] bind(ExposedMethod method, String command, Object[] args, Map<String, Object> kwargs,
            int payloadSize) {
        try {
            return method.bind(owner, args, kwargs, WorkBudget.forPayload(payloadSize));
        } catch (ExposedMethod.BindingException e) {
            throw new CallRefusedException("TypeError", e.getMessage());
        } catch (WorkLimitException e) {
            throw new CallRefusedException("ValueError", command + "(): arguments refused: " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) { // hostile nesting, or a bug: answer, never hang
            throw new CallRefusedException("TypeError", command + "(): arguments cannot be bound ("
                    + Repr.className(e.getClass(), false) + ")");
        }
    }

    private void invoke(FrameSink from, RunningCalls running, int seq, String command, ExposedMethod method,
            Object[] args, Map<String, Object> kwargs, int payloadSize, RunningCalls.Running r) {
        Object[] javaArgs;
        try {
            javaArgs = bind(method, command, args, kwargs, payloadSize);
        } catch (CallRefusedException e) {
            running.done(seq, r);
            replies.reply(from, seq, command, RemoteErrors.payload(e.pythonType(), e.getMessage()), true);
            return;
        }
        if (r != null && !r.start(IoThreads.isIoThread() ? null : Thread.currentThread())) {
            running.done(seq, r); // cancelled before it ran, or its connection is gone: nobody reads an answer
            return;
        }
        Object result;
        Throwable thrown = null;
        Object outer = CurrentCaller.enter(owner);
        try {
            result = method.invoke(javaArgs);
        } catch (Throwable t) {
            result = null;
            thrown = t;
        } finally {
            if (r != null) {
                r.stop(); // first: no interrupt reaches what follows
            }
            CurrentCaller.restore(outer);
        }
        if (thrown != null) {
            METHOD_THREW.log("{} threw", method.describe(), thrown);
            running.done(seq, r);
            if (r == null || !r.isCancelled()) { // a call let go gets no answer, an error neither
                replies.reply(from, seq, command, RemoteErrors.payload(thrown), true);
            }
            return;
        }
        if (result instanceof CompletionStage) {
            // a direct call's future: it may be let go from now on
            RunningCalls.Running handle = r != null ? r : running.track(seq, method.isInterruptible());
            handle.stage((CompletionStage<?>) result);
            ((CompletionStage<?>) result).whenComplete((value, error) -> {
                running.done(seq, handle); // the work has ended: its slot is free
                if (handle.isCancelled()) {
                    return; // let go: nobody reads this answer
                }
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    replies.reply(from, seq, command, RemoteErrors.payload(cause), true);
                } else {
                    replies.reply(from, seq, command, value, false);
                }
            });
        } else {
            running.done(seq, r);
            if (r == null || !r.isCancelled()) {
                replies.reply(from, seq, command, result, false);
            }
        }
    }

    /** A CALH's headers, checked and copied; null if they are not a small map of short strings. */
    private static Map<String, String> headers(Map<?, ?> raw) {
        if (raw.size() > FrameLimits.MAX_HEADERS) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof String value)
                    || name.length() > FrameLimits.MAX_HEADER_NAME || value.length() > FrameLimits.MAX_HEADER_VALUE) {
                return null;
            }
            headers.put(name, value);
        }
        return Collections.unmodifiableMap(headers);
    }

    // ---- through the interceptors ------------------------------------------------------------------

    /**
     * A well-formed call, through the interceptors: they run where its method
     * would (the I/O thread for a direct one, else the executor), whatever
     * they make of the command. On the I/O thread.
     */
    private void intercepted(FrameSink from, RunningCalls running, int seq, String command, Object[] args,
            Map<String, Object> kwargs, Map<String, String> headers, int payloadSize) {
        ExposedMethod[] overloads = commands.lookup(command);
        ExposedMethod method = null;
        if (overloads != null) {
            try {
                method = CommandTable.select(command, overloads, args.length, kwargs.size());
            } catch (ExposedMethod.BindingException e) {
                // the method runs nowhere: the chain runs on the executor, and the end of it says why
            }
        }
        running.started();
        RunningCalls.Running handle = running.track(seq, method != null && method.isInterruptible());
        Dispatch dispatch = new Dispatch(from, running, seq, command, args, kwargs, headers, payloadSize, handle);
        if (directDispatch || method != null && method.isDirect()) {
            dispatch.run();
            return;
        }
        try {
            executor.execute(dispatch);
        } catch (RejectedExecutionException e) {
            dispatch.refused(e);
        }
    }

    /** One call of the peer's through the chain: run, then answered once, unless let go. */
    private final class Dispatch implements IoThreads.Refusable, IncomingChain.Terminal {
        private final FrameSink from;
        private final RunningCalls running;
        private final int seq;
        private final String command;
        private final Object[] args;
        private final Map<String, Object> kwargs;
        private final Map<String, String> headers;
        private final int payloadSize;
        private final RunningCalls.Running handle;

        Dispatch(FrameSink from, RunningCalls running, int seq, String command, Object[] args,
                Map<String, Object> kwargs, Map<String, String> headers, int payloadSize, RunningCalls.Running handle) {
            this.from = from;
            this.running = running;
            this.seq = seq;
            this.command = command;
            this.args = args;
            this.kwargs = kwargs;
            this.headers = headers;
            this.payloadSize = payloadSize;
            this.handle = handle;
        }

        @Override
        public void run() {
            if (handle.isCancelled()) { // let go before it ran: nobody reads an answer
                running.done(seq, handle);
                return;
            }
            Object outer = CurrentCaller.enter(owner);
            try {
                IncomingChain.View view = chain.view(owner instanceof Channel c ? c : null, from.info(), seq, command,
                        args, kwargs, headers, this);
                chain.run(view).whenComplete(this::answer);
            } finally {
                CurrentCaller.restore(outer);
            }
        }

        @Override
        public void refused(RuntimeException why) {
            boolean cancelled = handle.isCancelled();
            running.done(seq, handle);
            if (!cancelled) {
                replies.reply(from, seq, command, RemoteErrors.payload("RuntimeError", command + "(): rejected, the "
                        + "callee's executor is not accepting work"), true);
            }
        }

        /** The end of the chain: binds the arguments to the method the command names, and runs it. */
        @Override
        public CompletableFuture<Object> run(IncomingChain.View view) {
            ExposedMethod[] overloads = commands.lookup(view.command());
            if (overloads == null) { // as the original answers: KeyError(command), a long name cut
                return CompletableFuture.failedFuture(new CallRefusedException("KeyError",
                        Repr.truncate(view.command(), 200)));
            }
            ExposedMethod method;
            Object[] javaArgs;
            try {
                Object[] args = view.argsArray();
                @SuppressWarnings("unchecked")
                Map<String, Object> kwargs = (Map<String, Object>) view.kwargsMap();
                method = CommandTable.select(view.command(), overloads, args.length, kwargs.size());
                javaArgs = bind(method, view.command(), args, kwargs, payloadSize);
            } catch (ExposedMethod.BindingException e) {
                return CompletableFuture.failedFuture(new CallRefusedException("TypeError", e.getMessage()));
            } catch (CallRefusedException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (!handle.start(IoThreads.isIoThread() ? null : Thread.currentThread())) {
                return CompletableFuture.failedFuture(letGo(view.command()));
            }
            Object result = null;
            Throwable thrown = null;
            // here too: an interceptor may have gone on from another thread than the one run() set it on
            Object outer = CurrentCaller.enter(owner);
            try {
                result = method.invoke(javaArgs);
            } catch (Throwable t) {
                METHOD_THREW.log("{} threw", method.describe(), t);
                thrown = t;
            } finally {
                handle.stop(); // first: no interrupt reaches what follows
                CurrentCaller.restore(outer);
            }
            CompletableFuture<Object> done = new CompletableFuture<>();
            if (!(result instanceof CompletionStage<?> stage)) {
                settle(done, result, thrown, view.command());
                return done;
            }
            handle.stage(stage);
            stage.whenComplete((value, error) -> settle(done, value, error, view.command()));
            return done;
        }

        /** What the interceptors see of the method's end: a call let go meanwhile is cancelled, whatever it returned. */
        private void settle(CompletableFuture<Object> done, Object value, Throwable error, String command) {
            if (handle.isCancelled()) {
                done.completeExceptionally(letGo(command));
            } else if (error != null) {
                done.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            } else {
                done.complete(value);
            }
        }

        private CancellationException letGo(String command) {
            return new CancellationException("call '" + command + "' was let go: its caller cancelled it, or its "
                    + "connection was lost");
        }

        /** The chain's end: its slot is free, and its answer sent, unless the call was let go. */
        private void answer(Object value, Throwable error) {
            running.done(seq, handle);
            if (handle.isCancelled()) {
                return;
            }
            if (error == null) {
                replies.reply(from, seq, command, value, false);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            replies.reply(from, seq, command, cause instanceof CallRefusedException refused
                    ? RemoteErrors.payload(refused.pythonType(), refused.getMessage())
                    : RemoteErrors.payload(cause), true);
        }
    }
}
