package kaa.rpc.internal.call;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import kaa.rpc.Channel;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.OutgoingCall;
import kaa.rpc.OutgoingInterceptor;
import kaa.rpc.RemoteException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.intercept.CallView;
import kaa.rpc.internal.log.PeerLog;

/**
 * Our calls through the {@link OutgoingInterceptor}s, the first outermost,
 * and then to {@link OutgoingCalls}. Made only when there are interceptors:
 * without, a call goes straight to {@link OutgoingCalls}, as it did before
 * interceptors were. Holds no lock; each call's state is its {@link Call}.
 */
public final class OutgoingChain {

    // an interceptor's bug, maybe set off by what the peer answered: a line a second at most
    static final PeerLog THREW = PeerLog.warn(OutgoingChain.class, "outgoing interceptor threw");

    private final OutgoingInterceptor[] interceptors;
    private final OutgoingCalls calls;
    private final Channel channel;
    private final Executor executor;

    public OutgoingChain(List<OutgoingInterceptor> interceptors, OutgoingCalls calls, Channel channel,
            Executor executor) {
        this.interceptors = interceptors.toArray(new OutgoingInterceptor[0]);
        this.calls = calls;
        this.channel = channel;
        this.executor = executor;
    }

    /** As {@link OutgoingCalls#call}, through the interceptors; on the caller's thread. */
    public <T> RpcFuture<T> call(String command, Object[] args, Map<String, ?> kwargs, Type resultType,
            Duration timeout, boolean waitForReady, Function<RemoteException, ? extends Throwable> failures) {
        Call call = new Call(channel, calls.openConnection(), executor, resultType, timeout, waitForReady, failures);
        RpcFuture<T> result = new RpcFuture<>(call); // the caller's callbacks run as the call's wrappers say
        call.result = result;
        // the caller's cancel (or a complete, or orTimeout) reaches the call that went on, if one did
        result.onSettled(call::cancelSent);
        View view = new View(call, command, args, kwargs, Map.of());
        CompletableFuture<Object> completion = proceed(call, 0, view);
        if (completion instanceof RpcFuture<Object> own) {
            // the library's own hand-on, on whichever thread completes it (the I/O thread, for interceptors that
            // return what proceed gave them): a caller blocked in get() wakes without a hop through the executor
            own.whenCompleteHere((value, error) -> settle(call, result, value, error));
        } else {
            completion.whenComplete((value, error) -> settle(call, result, value, error));
        }
        return result;
    }

    /** The rest of the chain from interceptor {@code index}: never throws, a failure is the future's. */
    private CompletableFuture<Object> proceed(Call call, int index, View view) {
        if (call.result.isDone()) { // settled (cancelled, say) before this step went on: nothing more is sent
            return failed(call, new CancellationException("call '" + view.command()
                    + "' was settled before it went on"));
        }
        if (index == interceptors.length) {
            RpcFuture<Object> sent = calls.call(view.command(), view.argsArray(), view.kwargsMap(), view.headers(),
                    call.resultType, call.timeout, call.waitForReady, call.failures);
            call.wentOn(sent);
            return sent;
        }
        OutgoingInterceptor interceptor = interceptors[index];
        CompletionStage<?> stage;
        try {
            stage = Objects.requireNonNull(interceptor.intercept(view, new Next(call, index + 1)),
                    "the interceptor returned no completion");
        } catch (Throwable t) {
            THREW.log("{} threw on call '{}'", interceptor, view.command(), t);
            call.cancelSent(); // what it let go on is no longer wanted
            return failed(call, t);
        }
        if (stage instanceof RpcFuture) { // as the call's own, or made from it (whenComplete and the like)
            @SuppressWarnings("unchecked")
            RpcFuture<Object> f = (RpcFuture<Object>) stage;
            return f;
        }
        // a stage the interceptor made itself (a cached answer, say): the step before sees it as a call's future,
        // whose dependents run on the channel's executor
        RpcFuture<Object> f = new RpcFuture<>(call);
        stage.whenComplete((value, error) -> {
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(value);
            }
        });
        return f;
    }

    /** A failed step: its dependents run on the channel's executor, as those of a call that went on do. */
    private static CompletableFuture<Object> failed(Call call, Throwable error) {
        RpcFuture<Object> f = new RpcFuture<>(call);
        f.completeExceptionally(error);
        return f;
    }

    /** The caller's future gets what the outermost interceptor completed with. */
    private static <T> void settle(Call call, RpcFuture<T> result, Object value, Throwable error) {
        if (error != null) {
            result.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error);
            return;
        }
        Class<?> expected = box(Conversions.rawClass(call.resultType));
        if (value != null && !expected.isInstance(value)) {
            result.completeExceptionally(new ClassCastException("an interceptor completed the call with a "
                    + value.getClass().getName() + ", not the " + expected.getName() + " it returns"));
            return;
        }
        @SuppressWarnings("unchecked")
        T t = (T) value;
        result.complete(t);
    }

    private static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        return c == int.class ? Integer.class : c == long.class ? Long.class : c == boolean.class ? Boolean.class
                : c == double.class ? Double.class : c == float.class ? Float.class : c == short.class ? Short.class
                : c == byte.class ? Byte.class : c == char.class ? Character.class : Void.class;
    }

    /** One call's state, shared by all its views and steps. */
    private static final class Call extends CallView.Shared implements Executor {
        /**
         * The caller's future; set once, before the first interceptor runs. Not final (it takes this call as its
         * executor) nor volatile: a thread that goes on got the call from an interceptor, after it was set.
         */
        RpcFuture<?> result;
        final Type resultType;
        final Duration timeout;
        final boolean waitForReady;
        final Function<RemoteException, ? extends Throwable> failures;
        /**
         * The call that went on to the peer, once it did; {@link #SETTLED} once
         * the caller's future was settled (or an interceptor threw), so that a
         * call going on after that is cancelled by whoever comes second.
         */
        private volatile Object sent;

        /** What the caller's callbacks run in, as the interceptors wrapped them; null for as they are. */
        private volatile UnaryOperator<Runnable> callbacks;

        /** Where the caller's callbacks run. */
        private final Executor executor;

        Call(Channel channel, ConnectionInfo connection, Executor executor, Type resultType, Duration timeout,
                boolean waitForReady, Function<RemoteException, ? extends Throwable> failures) {
            super(channel, connection);
            this.executor = executor;
            this.resultType = resultType;
            this.timeout = timeout;
            this.waitForReady = waitForReady;
            this.failures = failures;
        }

        /** Runs one of the caller's callbacks on the executor, wrapped as the interceptors say. */
        @Override
        public void execute(Runnable task) {
            UnaryOperator<Runnable> w = callbacks;
            // the wrapper is user code too: applied on the executor, never where the call completes (an I/O thread)
            executor.execute(w == null ? task : () -> w.apply(task).run());
        }

        /** Adds a wrapper inside those added before (by interceptors further out). */
        synchronized void wrapCallbacks(UnaryOperator<Runnable> wrapper) { // the call's monitor: the composition
            Objects.requireNonNull(wrapper, "wrapper");
            UnaryOperator<Runnable> outer = callbacks;
            callbacks = outer == null ? wrapper : task -> outer.apply(wrapper.apply(task));
        }

        /** The call is no longer wanted: the call that went on, now or later, is cancelled. */
        void cancelSent() {
            Object s = SENT.getAndSet(this, SETTLED);
            if (s instanceof RpcFuture<?> f) {
                f.cancel(false);
            }
        }

        /** The call went on as {@code s}: cancelled at once if it is no longer wanted. */
        void wentOn(RpcFuture<Object> s) {
            if (!SENT.compareAndSet(this, null, s)) {
                s.cancel(false); // settled while it was being sent: the cancel missed it
            }
        }

        private static final Object SETTLED = new Object();
        private static final VarHandle SENT;

        static {
            try {
                SENT = MethodHandles.lookup().findVarHandle(Call.class, "sent", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** One step's way on: at most once. */
    private final class Next extends CallView.Step implements OutgoingInterceptor.Next {
        private final Call call;
        private final int index;

        Next(Call call, int index) {
            super(call);
            this.call = call;
            this.index = index;
        }

        @Override
        public CompletableFuture<Object> proceed(OutgoingCall view) {
            goingOn(view);
            return OutgoingChain.this.proceed(call, index, (View) view);
        }
    }

    /** A read-only view of a call; the {@code with} methods copy. */
    private static final class View extends CallView implements OutgoingCall {
        final Call call;

        View(Call call, String command, Object[] args, Map<String, ?> kwargs, Map<String, String> headers) {
            super(call, command, args, kwargs, headers);
            this.call = call;
        }

        @Override
        public Type resultType() {
            return call.resultType;
        }

        @Override
        public Duration timeout() {
            return call.timeout;
        }

        @Override
        public void wrapCallbacks(UnaryOperator<Runnable> wrapper) {
            call.wrapCallbacks(wrapper);
        }

        @Override
        public OutgoingCall withCommand(String command) {
            return new View(call, Objects.requireNonNull(command, "command"), argsArray(), kwargsMap(), headers());
        }

        @Override
        public OutgoingCall withArgs(Object... args) {
            return new View(call, command(), copyArgs(args), kwargsMap(), headers());
        }

        @Override
        public OutgoingCall withKwargs(Map<String, ?> kwargs) {
            return new View(call, command(), argsArray(), copyKwargs(kwargs), headers());
        }

        @Override
        public OutgoingCall withHeader(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.length() > FrameLimits.MAX_HEADER_NAME || value.length() > FrameLimits.MAX_HEADER_VALUE) {
                throw new IllegalArgumentException("header '" + name.substring(0, Math.min(name.length(), 40))
                        + "' too long: a name is at most " + FrameLimits.MAX_HEADER_NAME + " characters, a value "
                        + FrameLimits.MAX_HEADER_VALUE);
            }
            Map<String, String> copy = new LinkedHashMap<>(headers());
            copy.put(name, value);
            if (copy.size() > FrameLimits.MAX_HEADERS) {
                throw new IllegalArgumentException("a call carries at most " + FrameLimits.MAX_HEADERS + " headers");
            }
            return new View(call, command(), argsArray(), kwargsMap(), Collections.unmodifiableMap(copy));
        }
    }
}
